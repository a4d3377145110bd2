/**
 * The inner dockerd's userland proxy (`--userland-proxy-path`): a POSIX sh
 * script, as the daemon image has no node, run by dockerd for every port a
 * container publishes, while the container starts. It asks the runner's
 * forwarder (forwarder.ts) to open the same port on the runner's loopback,
 * waits for the answer ("ok"; "relay ADDRESS" for a publish on the DinD
 * container's loopback, which needs a second docker-proxy on that address;
 * "pass": not forwarded; or "error MESSAGE"),
 * then becomes the real docker-proxy, keeping open the
 * write end of a FIFO whose reader is the forwarder: when dockerd stops the
 * proxy (the container stops or goes), the forwarder sees the end and closes
 * the runner's port. A refusal goes to dockerd on fd 3 in docker-proxy's own
 * protocol ("1\n" and the error), so `docker run` fails with it.
 *
 * The files, in a directory shared with the forwarder (mounted at
 * CONTAINER_PORTS_DIR; 0700 on the runner, so the FIFOs root makes in it can
 * be 0666 for the forwarder, which runs as the runner's user): ID.req (the
 * request: proto host-ip host-port, moved into place whole), ID.reply (FIFO:
 * "ok" or "error MESSAGE"), ID.alive (FIFO, removed once both ends are open).
 */
export const HELPER_NAME = 'setup-dind-port';
/** Where the DinD container sees the shared directory. */
export const CONTAINER_PORTS_DIR = '/run/setup-dind-ports';

export const HELPER_SCRIPT = `#!/bin/sh
# setup-dind: publishes this port on the runner's loopback too, then runs docker-proxy.
dir=\${0%/*}
proto=tcp host_ip= host_port= container_ip= container_port=
parse() {
  while [ $# -gt 1 ]; do
    case $1 in
      -proto) proto=$2 ;;
      -host-ip) host_ip=$2 ;;
      -host-port) host_port=$2 ;;
      -container-ip) container_ip=$2 ;;
      -container-port) container_port=$2 ;;
    esac
    shift
  done
}
parse "$@"
id="$proto-$host_port-$$"
refuse() {
  rm -f "$dir/$id.reply" "$dir/$id.alive" "$dir/$id.tmp"
  printf '1\\n%s' "$1" >&3
  exit 1
}
mkfifo -m 666 "$dir/$id.reply" "$dir/$id.alive" || refuse "setup-dind: cannot make the port request files in $dir"
# Open for reading (and writing, so that the open does not wait) before the request exists: the answer may come at once.
exec 6<> "$dir/$id.reply"
printf '%s %s %s\\n' "$proto" "$host_ip" "$host_port" > "$dir/$id.tmp" && mv "$dir/$id.tmp" "$dir/$id.req" || refuse "setup-dind: cannot write the port request in $dir"
read -r answer <&6
exec 6<&-
rm -f "$dir/$id.reply"
case $answer in
  ok)
    exec 5> "$dir/$id.alive"
    rm -f "$dir/$id.alive"
    printf x >&5
    exec docker-proxy "$@"
    ;;
  "relay "*)
    # Published on the DinD container's loopback only: a second docker-proxy on
    # its address on the runner's network (the answer names it) serves the forwarder.
    exec 5> "$dir/$id.alive"
    rm -f "$dir/$id.alive"
    printf x >&5
    docker-proxy -proto "$proto" -host-ip "\${answer#relay }" -host-port "$host_port" \\
      -container-ip "$container_ip" -container-port "$container_port" 3>/dev/null &
    relay=$!
    docker-proxy "$@" &
    proxy=$!
    trap 'kill "$proxy" "$relay" 2>/dev/null' INT TERM
    wait "$proxy"
    kill "$relay" 2>/dev/null
    ;;
  pass)
    # Not forwarded (a publish on one address of the DinD container): docker-proxy alone.
    rm -f "$dir/$id.alive"
    exec docker-proxy "$@"
    ;;
  *) refuse "\${answer#error }" ;;
esac
`;
