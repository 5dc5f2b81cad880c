/**
 * The error every build-time stand-in in `shared/stubs/` throws when a feature left out of the bundle is
 * reached at run time: it names the feature, the package left out and the supported way instead.
 */

/**
 * @param feature what the user asked for, in their words (e.g. "a SOCKS proxy-url in the kubeconfig")
 * @param pkg     the npm package the feature needs, which the bundle leaves out
 * @param instead what works instead
 * @returns an Error to throw
 */
export function unsupported(feature: string, pkg: string, instead: string): Error {
  return new Error(
    `Gantry does not support ${feature}: its bundle leaves out ${pkg} (shared/stubs/). ${instead}`,
  );
}
