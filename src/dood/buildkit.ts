/**
 * strict's rules for BuildKit's gRPC API (the calls buildx sends on POST
 * /grpc, relayed by grpc-relay.ts). A method is forwarded, inspected or
 * refused by the table below; an unknown one is refused. A build (Control
 * Solve, and LLBBridge Solve for builds buildx drives from the client) may
 * not ask for entitlements (network.host, security.insecure, devices: the
 * daemon's only gate on RUN steps in the host's network or privileged), a
 * host network mode, a cgroup parent, priority ulimits or a context the
 * daemon fetches; the tags it exports to must be new or the job's. The
 * build history shows a job its own builds only.
 */
import { normalizedTag } from './image-refs.js';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import type { CallAdmission, DaemonCall, DaemonCallAnswer, GrpcRules } from './grpc-relay.js';
import { bytesOf, readFields, stringMapOf, stringsOf, type WireField } from './protobuf.js';
import { policyRefusal, Refused } from './refused.js';
import { checkUlimitName } from './fields/values.js';

const CONTROL = '/moby.buildkit.v1.Control/';
const BRIDGE = '/moby.buildkit.v1.frontend.LLBBridge/';

type MethodRule = 'forward' | 'inspect' | { what: string; why: string };

/** Every method strict knows, by path. Reads and the client's own session go on; builds are inspected. */
const METHODS: Record<string, MethodRule> = {
  [`${CONTROL}Solve`]: 'inspect',
  [`${CONTROL}Status`]: 'forward',
  [`${CONTROL}Session`]: 'forward',
  [`${CONTROL}ListWorkers`]: 'forward',
  [`${CONTROL}Info`]: 'forward',
  [`${CONTROL}DiskUsage`]: 'forward',
  // The daemon's build records hold every job's builds (their build arguments among them): the job's own only.
  [`${CONTROL}ListenBuildHistory`]: 'inspect',
  [`${CONTROL}Prune`]: { what: 'docker buildx prune', why: "the build cache is every job's, and the proxy cannot tell the job's own" },
  [`${CONTROL}UpdateBuildHistory`]: { what: 'changing the build history', why: "the history is every job's builds, and the proxy cannot tell the job's own" },
  [`${BRIDGE}Solve`]: 'inspect',
  [`${BRIDGE}ResolveImageConfig`]: 'forward',
  [`${BRIDGE}ResolveSourceMeta`]: 'forward',
  [`${BRIDGE}ReadFile`]: 'forward',
  [`${BRIDGE}ReadDir`]: 'forward',
  [`${BRIDGE}StatFile`]: 'forward',
  [`${BRIDGE}Evaluate`]: 'forward',
  [`${BRIDGE}Ping`]: 'forward',
  [`${BRIDGE}Return`]: 'forward',
  [`${BRIDGE}Inputs`]: 'forward',
  [`${BRIDGE}Warn`]: 'forward',
  // Blobs by digest (buildx --metadata-file reads its build's provenance so): content-addressed reads; listing them is not.
  '/containerd.services.content.v1.Content/Info': 'forward',
  '/containerd.services.content.v1.Content/Read': 'forward',
  '/grpc.health.v1.Health/Check': 'forward',
  // buildx sends its traces to the daemon (docker 25 and later keep them with the build's history).
  '/opentelemetry.proto.collector.trace.v1.TraceService/Export': 'forward',
};

/** Control SolveRequest's fields strict reads (buildkit api/services/control/control.proto). */
const SOLVE = { ref: 1, exporterAttrs: 4, frontendAttrs: 7, entitlements: 9, exporters: 13 } as const;
/** Its BuildHistoryRequest: Ref 2, EarlyExit 3 (ActiveOnly 1 and EarlyExit do not widen what it shows). */
const HISTORY = { ref: 2, earlyExit: 3 } as const;
/**
 * The ref buildx asks for to learn whether the daemon has a build history
 * (at every build): no client names a build so, and the answer is empty. A
 * refusal would only make buildx think the daemon has none.
 */
const HISTORY_PROBE_REF = 'buildx-test-history-api-feature';
/** Its Exporter message: Attrs 2. */
const EXPORTER = { attrs: 2 } as const;
/** LLBBridge SolveRequest (frontend/gateway/pb/gateway.proto): FrontendOpt 3. */
const BRIDGE_SOLVE = { frontendOpt: 3 } as const;

/** Network modes a build may force on its RUN steps. */
const NETWORK_MODES = ['', 'default', 'sandbox', 'none'];
/** Build contexts given by address, which the daemon would fetch from the host's network with the host's credentials. */
const FETCHED_CONTEXT = /^(https?:\/\/|git:\/\/|git@|ssh:\/\/)|\.git(#.*)?$/i;

const ENTITLEMENT_WHY: Record<string, string> = {
  'network.host': "its RUN steps would share the host's network stack",
  'security.insecure': 'its RUN steps would run privileged, with the host\'s devices',
};

export interface BuildKitRulesOptions {
  /** The tags a build exports to: each must be new or the job's (TagRules.checkWrites); throws Refused. */
  checkTags: (tags: string[], verb: string) => Promise<void>;
}

function refusal(what: string, why: string): Refused {
  return policyRefusal('strict', what, why);
}

/** Frontend options (Control Solve's FrontendAttrs, LLBBridge Solve's FrontendOpt) strict refuses. */
export function frontendOptionProblem(options: Map<string, string>): Refused | undefined {
  const network = options.get('force-network-mode') ?? '';
  if (!NETWORK_MODES.includes(network.toLowerCase())) {
    return refusal(`build --network ${network}`, network === 'host' ? "its RUN steps would share the host's network stack" : `strict accepts ${NETWORK_MODES.filter(Boolean).join(', ')}`);
  }
  if ((options.get('cgroup-parent') ?? '') !== '') return refusal('build --cgroup-parent', "it places the build's containers in any cgroup of the host, outside the limits of the job");
  for (const entry of (options.get('ulimit') ?? '').split(',').filter(Boolean)) {
    const problem = checkUlimitName(entry.split('=')[0]!.trim());
    if (problem) return refusal(`build --ulimit ${problem.what}`, problem.why);
  }
  for (const [key, value] of options) {
    if ((key === 'context' || key.startsWith('context:')) && FETCHED_CONTEXT.test(value)) {
      return refusal(`a build context the daemon fetches (${key}=${value})`, "the daemon clones or downloads it from the host's network, with the host's credentials; send the context instead");
    }
  }
  return undefined;
}

/** The image names a build exports to: every exporter's `name` attribute (comma-separated), the legacy single exporter's too. */
export function exportedNames(solve: WireField[]): string[] {
  const attrs = [stringMapOf(solve, SOLVE.exporterAttrs), ...bytesOf(solve, SOLVE.exporters).map((exporter) => stringMapOf(readFields(exporter), EXPORTER.attrs))];
  return attrs.flatMap((map) => (map.get('name') ?? '').split(',').map((name) => name.trim()).filter(Boolean));
}

export class BuildKitRules implements GrpcRules {
  /** The refs of the job's builds (each Control Solve's, random and chosen by the client): the build records it may read. */
  private readonly buildRefs = new Set<string>();

  constructor(private readonly options: BuildKitRulesOptions) {}

  admit(path: string): CallAdmission {
    const rule = METHODS[path];
    if (rule === undefined) return refusal(`the BuildKit call ${path}`, 'it is not one the proxy knows; strict forwards only those');
    return typeof rule === 'string' ? rule : refusal(rule.what, rule.why);
  }

  async inspect(path: string, message: Buffer, daemon: DaemonCall): Promise<void> {
    if (path === `${CONTROL}ListenBuildHistory`) return this.checkHistoryRequest(message);
    let build: BuildRequest;
    try {
      build = readBuildRequest(path, message);
    } catch (error) {
      throw refusal(`a BuildKit request the proxy cannot read (${path})`, error instanceof Error ? error.message : String(error));
    }
    const entitlement = build.entitlements[0];
    if (entitlement !== undefined) {
      throw refusal(`a build with the entitlement ${entitlement} (--allow ${entitlement}${entitlement === 'network.host' ? ', --network host' : ''})`, ENTITLEMENT_WHY[entitlement] ?? 'strict grants a build no entitlement');
    }
    const problem = frontendOptionProblem(build.frontendOptions);
    if (problem) throw problem;
    const tags = build.exportedNames.map((name) => normalizedTag(name));
    const unreadable = build.exportedNames.find((_, index) => tags[index] === undefined);
    if (unreadable !== undefined) throw refusal(`building into ${unreadable}`, 'the proxy cannot read it as an image reference to check');
    if (tags.length > 0) await this.options.checkTags(tags as string[], 'building into');
    if (build.ref !== '' && !this.buildRefs.has(build.ref)) {
      await checkNewRef(build.ref, daemon);
      this.buildRefs.add(build.ref);
    }
  }

  /** A build history request: only for one of the job's builds (an empty ref lists every build on the daemon). */
  private checkHistoryRequest(message: Buffer): void {
    let ref: string;
    try {
      ref = stringsOf(readFields(message), HISTORY.ref).at(-1) ?? '';
    } catch (error) {
      throw refusal(`a BuildKit request the proxy cannot read (${CONTROL}ListenBuildHistory)`, error instanceof Error ? error.message : String(error));
    }
    if (this.buildRefs.has(ref) || ref === HISTORY_PROBE_REF) return;
    throw refusal(
      ref === '' ? 'listing the build history (docker buildx history ls)' : `the build record ${ref}`,
      ref === '' ? "it shows every job's builds on the daemon, their build arguments too; ask for one of the job's own builds" : 'it is not a build of this job',
    );
  }
}

/** gRPC's OK and UNIMPLEMENTED (a daemon without a build history, Docker before 25). */
const GRPC_OK = 0;
const GRPC_UNIMPLEMENTED = 12;

/**
 * A build's ref must be new to the daemon: the job may read the records of
 * its builds by their refs, and a Solve that names another build's ref
 * (one a job learnt from that build's outputs, say) would make its record
 * the job's. Asked as buildx asks: ListenBuildHistory for that ref, ending
 * once the records there are have come.
 */
async function checkNewRef(ref: string, daemon: DaemonCall): Promise<void> {
  const request = new BinaryWriter();
  request.tag(HISTORY.ref, WireType.LengthDelimited).string(ref);
  request.tag(HISTORY.earlyExit, WireType.Varint).bool(true);
  let answer: DaemonCallAnswer;
  try {
    answer = await daemon(`${CONTROL}ListenBuildHistory`, request.finish());
  } catch (error) {
    throw refusal(`a build with the ref ${ref}`, `the daemon did not say whether it has a build of that ref (${error instanceof Error ? error.message : String(error)})`);
  }
  if (answer.status === GRPC_UNIMPLEMENTED || (answer.status === GRPC_OK && answer.messages === 0)) return;
  if (answer.status === GRPC_OK) throw refusal(`a build with the ref ${ref}`, "the daemon has a build of that ref already, another job's or an earlier one; a build names a new ref");
  throw refusal(`a build with the ref ${ref}`, `the daemon did not say whether it has a build of that ref (gRPC status ${answer.status})`);
}

/** What strict reads of a build request, either kind. */
interface BuildRequest {
  /** The build's ref (Control Solve's; '' for the frontend's). */
  ref: string;
  entitlements: string[];
  frontendOptions: Map<string, string>;
  exportedNames: string[];
}

/** Decodes a Control or LLBBridge SolveRequest; throws on a malformed one. */
function readBuildRequest(path: string, message: Buffer): BuildRequest {
  const fields = readFields(message);
  if (path === `${BRIDGE}Solve`) return { ref: '', entitlements: [], frontendOptions: stringMapOf(fields, BRIDGE_SOLVE.frontendOpt), exportedNames: [] };
  return {
    ref: stringsOf(fields, SOLVE.ref).at(-1) ?? '',
    entitlements: stringsOf(fields, SOLVE.entitlements),
    frontendOptions: stringMapOf(fields, SOLVE.frontendAttrs),
    exportedNames: exportedNames(fields),
  };
}
