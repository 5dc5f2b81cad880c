import { runAction } from '../../../shared/src/run.ts';
import { run } from './main.ts';

await runAction(() => run());
// The step's timeout has been honoured (late channels are reported as failed): requests still in flight
// or waiting to retry must not keep the process alive past it.
process.exit();
