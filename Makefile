# aekit — human entry points. The build itself is CMake (build/).
#   make deps      install missing Debian packages (as root), else print the apt-get line
#   make           build library, program and tests
#   make demo      train the dense model on Fashion-MNIST, write out/
#   make demo-ecg  the conv1d sequence autoencoder on a real ECG (python3-scipy), write out/
#   make demo-sklearn  breast cancer table (python3-sklearn): aekit beside IsolationForest, out/breast
#   make test      build and run every test (ctest), release build
#   make bench     speed and memory against PyTorch, same machine, same command
#   make sanitize  the same tests under AddressSanitizer + UBSan (build-asan/)
#   make clang     build and test with clang (build-clang/)
#   make tsan      the team and the trainer's steps under ThreadSanitizer (build-tsan/)
#   make fuzz      libFuzzer on every reader, FUZZ_SECONDS each (build-fuzz/)
#   make noplot    the library and program without PLplot (-DAE_PLOTS=OFF, build-noplot/)
#   make fixtures  regenerate tests/fixtures with PyTorch (python3-torch) and scikit-learn
#   make install   library, header, aekit.pc, program, man pages, bash completion (PREFIX=/usr/local)

PREFIX ?= /usr/local
BUILD  ?= build
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
PYTHON ?= /usr/bin/python3
# Tests run with OpenBLAS pinned to its Haswell kernels, as this machine's
# image sets it (the 0.3.21 AVX-512 kernels are not trusted here; the
# fixtures' tolerances were set with the pinned kernels). A value already in
# the environment wins.
PIN = OPENBLAS_CORETYPE=$${OPENBLAS_CORETYPE:-Haswell}

DEPS = gcc make cmake pkg-config libopenblas-dev liblapacke-dev libcjson-dev libpng-dev libjpeg62-turbo-dev \
       zlib1g-dev libplplot-dev plplot-driver-cairo dataset-fashion-mnist \
       openmpi-bin libopenmpi-dev bc python3-onnx python3-numpy groff-base
DEPS_TORCH = python3-torch python3-numpy python3-sklearn time

.PHONY: all deps deps-torch deps-node build demo demo-ecg demo-sklearn test bench sanitize tsan clang fuzz noplot fixtures install clean

all: build

# Installs only what dpkg says is missing; apt-get update runs once, first.
define install_pkgs
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" \
	    || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "missing packages; run as root: apt-get update && apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
endef

deps:
	$(call install_pkgs,$(DEPS))

deps-torch:
	$(call install_pkgs,$(DEPS) $(DEPS_TORCH))

# node and npm for the ONNX Runtime rows of make bench, from Debian when the
# machine has none of its own
deps-node:
	$(call install_pkgs,nodejs npm)

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null

build: deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	bash scripts/demo.sh $(BUILD)/aekit out

demo-ecg: build
	$(call install_pkgs,python3-scipy)
	$(PIN) bash scripts/demo_ecg.sh $(BUILD)/aekit out

demo-sklearn: build
	$(call install_pkgs,python3-sklearn)
	$(PIN) bash scripts/sklearn_breast_cancer.sh $(BUILD)/aekit out/breast

test: build
	cd $(BUILD) && $(PIN) ctest --output-on-failure -j $(JOBS)

# Speed against PyTorch on this machine (release build); prints a Markdown table.
bench: deps-torch build
	$(call install_pkgs,python3-scipy python3-statsmodels python3-vega-datasets)
	@command -v node >/dev/null && command -v npm >/dev/null || $(MAKE) --no-print-directory deps-node
	bash bench/run.sh

sanitize: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DAE_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && $(PIN) ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

# The lock-free parts (team.c's runs of items, the balanced step) under
# ThreadSanitizer: test_team and test_step. Without the AVX2 clones (TSan
# cannot run code an ifunc resolver picks before it starts), and with ASLR
# off for the run (TSan's fixed memory map fails on 28-bit mmap randomness).
TSAN_FLAGS = -fsanitize=thread -DAE_NO_CLONES
tsan: deps
	cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS="$(TSAN_FLAGS)" \
	  -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread >/dev/null
	cmake --build build-tsan -j $(JOBS) --target test_team test_step
	cd build-tsan && for t in test_team test_step; do \
	  $(PIN) TSAN_OPTIONS="halt_on_error=1 exitcode=66" setarch -R ./$$t >/dev/null || exit 1; done
	@echo "tsan: test_team, test_step: no data race"

# Warning-free under clang too (-Wall -Wextra -Werror), tests included.
clang: deps
	$(call install_pkgs,clang)
	CC=clang cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build-clang -j $(JOBS)
	cd build-clang && $(PIN) ctest --output-on-failure -j $(JOBS)

# Without the plotting stack: the library, the program and the header's
# example build and link with no PLplot (ldd says so), test_noplot passes,
# and the program refuses a plot before it trains.
noplot: deps
	cmake -S . -B build-noplot -DCMAKE_BUILD_TYPE=Release -DAE_PLOTS=OFF >/dev/null
	cmake --build build-noplot -j $(JOBS) --target aekit aekit_shared header_example test_noplot
	! ldd build-noplot/libaekit.so build-noplot/aekit | grep plplot
	cd build-noplot && $(PIN) ./test_noplot && ./header_example >/dev/null
	! build-noplot/aekit train --limit 10 --epochs 1 -o build-noplot/m.safetensors \
	  --loss-curve build-noplot/c.png 2>build-noplot/err.txt
	grep -q "built without PLplot" build-noplot/err.txt && test ! -e build-noplot/m.safetensors
	@echo "noplot: library and program without PLplot"

# Each harness runs FUZZ_SECONDS from the committed corpus (fuzz/corpus/),
# new inputs kept in build-fuzz/corpus; any crash, leak or timeout fails.
FUZZ_SECONDS ?= 120
fuzz: deps
	$(call install_pkgs,clang)
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DAE_FUZZ=ON -DAE_MPI=OFF >/dev/null
	cmake --build build-fuzz -j $(JOBS) --target fuzzers
	$(PIN) bash fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

fixtures: deps-torch
	$(PYTHON) tests/ref/make_fixtures.py tests/fixtures
	$(PYTHON) tests/ref/make_conv_fixtures.py tests/fixtures
	$(PYTHON) tests/ref/make_vae_fixtures.py tests/fixtures
	$(PYTHON) tests/ref/make_ssim_fixtures.py tests/fixtures
	$(PYTHON) tests/ref/make_seq_fixtures.py tests/fixtures
	$(PYTHON) tests/ref/make_seq_e2e_fixture.py tests/fixtures
	$(call install_pkgs,python3-sklearn)
	$(PYTHON) tests/ref/make_app_fixtures.py tests/fixtures

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) build-asan build-clang build-fuzz build-noplot build-tsan
