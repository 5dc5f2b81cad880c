import { runAction } from '../../../shared/src/run.ts';
import { post, run } from './main.ts';

await runAction(() => run(), { post });
