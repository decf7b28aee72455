/**
 * The settings document Segment's browser library (analytics-next) fetches from its CDN before it
 * sends anything (`GET <cdnURL>/v1/projects/<writeKey>/settings`). Served by the collector, it
 * lets a site switch to Hark with `AnalyticsBrowser.load({ writeKey, cdnURL })` alone.
 *
 * It names one integration, Segment.io, pointed at this collector: with nothing else in
 * `integrations`, no `remotePlugins`, middleware or video plugins, the library loads no other
 * destination and no code from Segment's CDN. `metrics.sampleRate: 0` keeps it from posting its
 * own usage metrics (to api.segment.io by default).
 */
export interface SegmentSettings {
  integrations: {
    'Segment.io': {
      apiKey: string;
      /** Host and path prefix, no scheme: the library posts to `<protocol>://<apiHost>/t`, `/b`… */
      apiHost: string;
      protocol: 'http' | 'https';
      addBundledMetadata: boolean;
      unbundledIntegrations: string[];
      maybeBundledConfigIds: Record<string, string[]>;
    };
  };
  remotePlugins: [];
  enabledMiddleware: Record<string, never>;
  middlewareSettings: Record<string, never>;
  legacyVideoPluginsEnabled: false;
  metrics: { sampleRate: 0 };
}

export function segmentSettings(writeKey: string, origin: { protocol: 'http' | 'https'; host: string }): SegmentSettings {
  return {
    integrations: {
      'Segment.io': {
        apiKey: writeKey,
        apiHost: `${origin.host}/v1`,
        protocol: origin.protocol,
        addBundledMetadata: true,
        unbundledIntegrations: [],
        maybeBundledConfigIds: {},
      },
    },
    remotePlugins: [],
    enabledMiddleware: {},
    middlewareSettings: {},
    legacyVideoPluginsEnabled: false,
    metrics: { sampleRate: 0 },
  };
}
