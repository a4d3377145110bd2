/**
 * HTTP by hand, for what node's client will not send or read: requests with
 * Upgrade headers, bodies without a length, answers up to the close.
 */
import net from 'node:net';

/** `text` written to the unix socket `path`; everything that comes back, up to the close. */
export function rawExchange(path: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(text);
  });
}
