// Post step of the test action: proves the main step's state arrives.
import fs from 'node:fs';
fs.appendFileSync(process.env.RECORD, `post cleanup=${process.env['STATE_cleanup']}\n`);
