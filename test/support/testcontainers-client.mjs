// A job's own testcontainers test, run as a separate process with the job's
// environment (testcontainers reads DOCKER_HOST and the TLS variables, as
// the job's would): start a web server with an exposed port, with Ryuk on,
// fetch it at getHost():getMappedPort(), stop it. Prints one JSON line.
import { GenericContainer } from 'testcontainers';

const started = performance.now();
const container = await new GenericContainer('busybox')
  .withCommand(['sh', '-c', 'mkdir -p /www && echo hello from testcontainers > /www/index.html && exec httpd -f -p 80 -h /www'])
  .withExposedPorts(80)
  .start();
const url = `http://${container.getHost()}:${container.getMappedPort(80)}/index.html`;
let body = '';
for (let attempt = 0; attempt < 50 && body === ''; attempt++) {
  body = await fetch(url).then((response) => response.text(), () => '');
  if (body === '') await new Promise((resolve) => setTimeout(resolve, 100));
}
const id = container.getId();
// --leave: exit with the container running, for Ryuk to reap once this process is gone.
if (!process.argv.includes('--leave')) await container.stop();
process.stdout.write(`${JSON.stringify({ url, body, id, seconds: (performance.now() - started) / 1000 })}\n`);
