// An SDK as a job uses it (its own process, the job's environment): dockerode
// with no options reads DOCKER_HOST and the TLS variables, as docker-py's
// from_env and the Go SDK's FromEnv do. Prints the daemon's ID as one JSON line.
import Docker from 'dockerode';

const info = await new Docker().info();
process.stdout.write(`${JSON.stringify({ id: info.ID, name: info.Name })}\n`);
