import { notImplemented } from '../../../shared/src/not-implemented.ts';
import { runAction } from '../../../shared/src/run.ts';

await runAction(() => notImplemented('rollback', ['cluster', 'service']));
