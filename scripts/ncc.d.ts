// @vercel/ncc ships no types; this is the part of its API that build.mjs uses.
declare module '@vercel/ncc' {
  interface NccOptions {
    minify?: boolean;
    sourceMap?: boolean;
    /** Prepend source-map-support to the bundle (default true). */
    sourceMapRegister?: boolean;
    /** Prefix of the source map's sources, which are relative to the working directory (default "../"). */
    sourceMapBasePrefix?: string;
    license?: string;
    quiet?: boolean;
    target?: string;
  }
  interface NccAsset {
    source: string | Buffer;
    permissions?: number;
  }
  export default function ncc(
    entry: string,
    options?: NccOptions,
  ): Promise<{ code: string; map?: string; assets?: Record<string, NccAsset> }>;
}
