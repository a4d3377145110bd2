/**
 * "Port is already allocated": the daemon's message names the port, not who
 * holds it. The proxy adds the container that publishes it (or says none
 * does), so a job sharing the host's daemon sees what it collides with.
 */
import { isObject, parseFirstJsonValue } from './json.js';

export interface ListedContainer {
  Id?: string;
  Names?: string[];
  Ports?: Array<{ IP?: string; PrivatePort?: number; PublicPort?: number; Type?: string }>;
}

/** The host address and port a "port is already allocated" / "address already in use" error is about. */
export function conflictingPort(message: string): { ip: string; port: number; protocol: string } | undefined {
  if (!/port is already allocated|address already in use/i.test(message)) return undefined;
  const match =
    /Bind for (\[[^\]]*\]|[^\s:]*):(\d+) failed/i.exec(message) ??
    /listen (tcp|udp|sctp)[46]? (\[[^\]]*\]|[^\s:]*):(\d+)/i.exec(message);
  if (!match) return undefined;
  if (match.length === 3) return { ip: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2]), protocol: '' };
  return { ip: match[2]!.replace(/^\[|\]$/g, ''), port: Number(match[3]), protocol: match[1]!.toLowerCase() };
}

const ANY_ADDRESS = new Set(['', '0.0.0.0', '::']);

/** The daemon's message with the container that publishes the port appended, or undefined when the message is not a port conflict. */
export function explainPortConflict(message: string, containers: ListedContainer[]): string | undefined {
  const conflict = conflictingPort(message);
  if (!conflict) return undefined;
  const holder = containers.find((container) =>
    (container.Ports ?? []).some(
      (port) =>
        port.PublicPort === conflict.port &&
        (conflict.protocol === '' || (port.Type ?? 'tcp') === conflict.protocol) &&
        (ANY_ADDRESS.has(conflict.ip) || ANY_ADDRESS.has(port.IP ?? '') || port.IP === conflict.ip),
    ),
  );
  if (!holder) {
    return `${message} (no container publishes host port ${conflict.port}: a process on the host, or a container on the host network, holds it)`;
  }
  const name = holder.Names?.[0]?.replace(/^\//, '') ?? holder.Id?.slice(0, 12) ?? '?';
  return `${message} (the port is held by container ${name})`;
}

/**
 * A daemon error answer with the port's holder added to its message, when it
 * is a port conflict; else the answer as it was.
 */
export async function withPortHolder(answer: Buffer, listContainers: () => Promise<ListedContainer[]>, log: (line: string) => void): Promise<Buffer> {
  const parsed = parseFirstJsonValue(answer.toString('utf8'))?.value;
  const message = isObject(parsed) ? parsed.message : undefined;
  if (typeof message !== 'string' || !conflictingPort(message)) return answer;
  const explained = explainPortConflict(message, await listContainers().catch(() => []));
  if (!explained) return answer;
  log(`port conflict explained: ${explained}`);
  return Buffer.from(`${JSON.stringify({ ...(isObject(parsed) ? parsed : {}), message: explained })}\n`);
}
