#!/bin/sh
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
	libcriterion-dev
	python3
	python3-jsonschema
	python3-yaml
	scdoc
	zsh
	fish
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
echo "install-deps.sh: installed:" $packages
