# Sourced by the fakes: append "tool args..." to $FAKE_LOG.
fake_log() {
  local tool=$1; shift
  { printf '%s' "$tool"; for a in "$@"; do printf ' %s' "$a"; done; printf '\n'; } >> "${FAKE_LOG:?FAKE_LOG is not set}"
}
docker_down_msg() {
  echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
}
