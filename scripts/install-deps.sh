#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs every Debian 12 package that building, testing and CI need.
# Run as root (or through sudo).  Safe to run again: apt-get skips what is
# already installed.
#
#   scripts/install-deps.sh           build + test dependencies
#
# Keep this list in step with README.md and .ci/run.
set -eu

packages="
	build-essential
	cmake
	pkg-config
	libyaml-dev
	libcjson-dev
	libsqlite3-dev
	libmicrohttpd-dev
	libcurl4-openssl-dev
	curl
	sqlite3
	libcriterion-dev
	python3
	python3-jsonschema
	python3-yaml
	scdoc
	zsh
	fish
	bash-completion
	graphviz
	libgraphviz-dev
	chromium
	fonts-dejavu-core
	fonts-liberation
	valgrind
	clang
	libclang-rt-14-dev
	prometheus
	acl
	strace
	tzdata
	systemd
"

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo "$0" "$@"
	fi
	echo "install-deps.sh: run as root (apt-get needs it)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # word splitting of the list is intended
apt-get update -qq
apt-get install -y -qq --no-install-recommends $packages >/dev/null
# Node.js and npm run the Mermaid render test (tests/mermaid): Debian's
# packages unless a Node.js with npm is installed already.
if ! command -v node >/dev/null 2>&1; then
	apt-get install -y -qq --no-install-recommends nodejs >/dev/null
fi
if ! command -v npm >/dev/null 2>&1; then
	apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
echo "install-deps.sh: installed:" $packages nodejs npm

# The npm packages of the Mermaid render test, of the OpenAPI check
# (tests/openapi: cli/serve_openapi also installs them into the build tree
# itself) and of the OTLP decoder (tests/otlp: cli/otlp_decode likewise),
# exactly as locked; again only when a lock file changed since the
# last install.
# tests/n8n (cli/export_n8n) with --ignore-scripts: n8n-workflow's
# isolated-vm builds a native module its structure check does not use;
# tests/otlp too: protobufjs's postinstall only prints a warning.
for npm_dir in tests/mermaid tests/openapi tests/n8n tests/otlp; do
	dir=$(cd "$(dirname "$0")/.." && pwd)/$npm_dir
	scripts=
	case $npm_dir in tests/n8n | tests/otlp) scripts=--ignore-scripts ;; esac
	if [ ! -f "$dir/node_modules/.package-lock.json" ] ||
	   [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
		(cd "$dir" && npm ci $scripts --no-audit --no-fund --loglevel=error)
		echo "install-deps.sh: npm ci in $npm_dir"
	fi
done
