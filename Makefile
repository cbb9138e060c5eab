# Thin driver around CMake; see README.md.
#   make          build into build/ (command at build/bin/heapscope)
#   make demo     install missing packages, build, run lab 2 traced, write its report, print its path
#   make test     install missing packages, build, run every test (ctest); a
#                 failed test runs once more, because a few count page faults
#                 or resident pages that a loaded machine can perturb by one;
#                 a real regression fails both runs
#   make bench    speed and size benchmarks against native runs and heaptrack
#   make install PREFIX=/usr/local
BUILD ?= build
PREFIX ?= /usr/local
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)

.PHONY: all build configure deps-build deps-test deps-bench demo test bench install clean

all: build

deps-build:
	@scripts/deps.sh build
deps-test:
	@scripts/deps.sh test
deps-bench:
	@scripts/deps.sh bench

configure:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null

build: deps-build configure
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

demo: deps-test build
	@scripts/demo.sh $(BUILD)

test: deps-test configure
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory
	@ctest --test-dir $(BUILD) --output-on-failure -j 2 --timeout 300 --repeat until-pass:2

bench: deps-bench build
	@bench/run.sh $(BUILD)

install: build
	@cmake --install $(BUILD)

clean:
	rm -rf $(BUILD)
