/**
 * Loads GitHub's workflow parser (`@actions/workflow-parser`) under plain Node.
 *
 * The package is published for bundlers: its schema modules `import … from "../workflow-v1.0.min.json"`
 * without the `with { type: 'json' }` attribute Node's ESM loader requires. A synchronous module hook
 * (`module.registerHooks`, Node ≥ 22.15) adds the attribute to JSON imports that lack one, and the
 * parser is then imported dynamically (a static import would be linked before the hook exists).
 */
import { registerHooks } from 'node:module';

let hooked = false;

function hookJsonImports(): void {
  if (hooked) return;
  hooked = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier.endsWith('.json') && context.importAttributes['type'] === undefined) {
        const importAttributes = { ...context.importAttributes, type: 'json' };
        return { ...nextResolve(specifier, { ...context, importAttributes }), importAttributes };
      }
      return nextResolve(specifier, context);
    },
  });
}

hookJsonImports();

/** The workflow parser's entry module (parseWorkflow, convertWorkflowTemplate, token type guards). */
export const workflowParser = await import('@actions/workflow-parser');
/** The parser's action.yml support (parseAction, convertActionTemplate). */
export const actionParser = await import('@actions/workflow-parser/actions/index');
/** The converters' error policy (TryConversion converts a template that has validation findings). */
export const { ErrorPolicy } = await import('@actions/workflow-parser/model/convert');
