import { runAction } from '../../../shared/src/run.ts';
import { run } from './main.ts';

await runAction(() => run());
