// Test action: echoes its input, saves state for its post step, writes a summary.
import fs from 'node:fs';
const message = process.env['INPUT_MESSAGE'];
const token = process.env['INPUT_TOKEN'];
console.log(`::add-mask::${token}`);
console.log(`message: ${message}; token ${token}`);
fs.appendFileSync(process.env.GITHUB_OUTPUT, `echo=${message}\ntoken-length=${token.length}\n`);
fs.appendFileSync(process.env.GITHUB_STATE, `cleanup=${message}\n`);
fs.appendFileSync(
  process.env.GITHUB_STEP_SUMMARY,
  `<table><tr><th>recorder</th></tr><tr><td>${message}</td></tr></table>\n`,
);
fs.appendFileSync(
  process.env.RECORD,
  `main node=${process.versions.node.split('.')[0]} message=${message}\n`,
);
