export declare const bundlePath: string;
export declare function bundleIsFresh(): boolean;
