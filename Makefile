# kycd — build, test, run. The README names the two commands: `make run`, `make check`.
#
#   make            release build: build/release/kycd
#   make V=asan     AddressSanitizer + UBSan build: build/asan/kycd
#   make check      install deps, build both, run every unit and end-to-end test
#   make run        install deps, build, create ./kycd-master.key, ./data and a demo tenant, serve on 127.0.0.1:8080
#   make fuzz       build the libFuzzer targets (clang) and run each for FUZZ_SECONDS
#   make bench      run the benchmarks in bench/ (installs wrk, nginx, tesseract)
#   make lint       clang-tidy / cppcheck and the banned-function check
#   make deb        the Debian package: build/deb/kycd_VERSION_ARCH.deb (docs/deploy.md)

CC      ?= cc
CXX     ?= c++
V       ?= release
B       := build/$(V)
PKGS    := libh2o-evloop jansson sqlite3 libcurl openssl libjpeg libpng libexif lept freetype2 libsodium
# The face engine's convolutions (docs/face.md).
PKGS    += openblas
# The card reader (docs/card.md): Tesseract for the printed fields, HarfBuzz to draw Arabic.
PKGS    += tesseract harfbuzz
# The PostgreSQL backend (src/store/store_pg.c, docs/deploy.md).
PKGS    += libpq
# PDF417 and QR codes (docs/dl.md): zxing-cpp behind a C wrapper, the one C++
# file (src/document/barcode_zxing.cpp), so libstdc++ is linked too.
PKGS    += zxing
# Deferred (=) so that a fresh machine can run install-deps before pkg-config is asked.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) -lstdc++ -lm -lpthread

ifeq ($(V),asan)
OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDOPT   := -fsanitize=address,undefined
else
OPT     := -O2 -g
LDOPT   :=
endif

# The face nets' kernels (convolutions, pooling, activations: about half of
# a test server's processor time on a document) are built at -O2 in the ASan
# build too, still under ASan and UBSan but without UBSan's pointer-overflow
# and null checks, which sit on every element of their loops (ASan checks
# each access anyway): 30% less processor time for the face engine
# (docs/deploy.md, "Tests on both backends").
ifeq ($(V),asan)
HOT_SRCS := src/tensor/tensor.c
$(HOT_SRCS:%.c=$(B)/obj/%.o): OPT := $(subst -O1,-O2,$(OPT)) -fno-sanitize=pointer-overflow,null
endif

# The tensor engine's per-channel loops (depthwise convolution, bias,
# activations; src/tensor/tensor.c) and the graph runner's element-wise ops
# (src/tensor/graph.c) are vectorised only at -O3 (at -O2 GCC vectorises no
# loop of unknown length); they sum nothing across channels and the build
# contracts no multiply-add (ISO C), so the values are the same bits as at
# -O2. human-models' mobileface 11.5 to 4.6 ms, face-api's selfie analysis
# 113 to 73 ms (bench/README.md, "Face: a graph-model runner").
ifneq ($(V),asan)
$(B)/obj/src/tensor/graph.o $(B)/obj/src/tensor/tensor.o: OPT := $(subst -O2,-O3,$(OPT))
endif

WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wno-missing-field-initializers
ALL_CFLAGS = -std=c17 -D_GNU_SOURCE -DH2O_USE_LIBUV=0 $(WARN) $(OPT) -Isrc -Itests/lib $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(LDOPT) $(LDFLAGS)
# Only src/document/barcode_zxing.cpp: C++17, no exceptions past its C interface.
ALL_CXXFLAGS = -std=c++17 -D_GNU_SOURCE $(WARN) $(OPT) -Isrc $(PKG_CFLAGS) $(CXXFLAGS)

# Every .c under src/ is part of libkycd except the program entry point.
SRCS    := $(shell find src -name '*.c' ! -path src/cli/main.c | sort)
CXX_SRCS := $(shell find src -name '*.cpp' | sort)
OBJS    := $(SRCS:%.c=$(B)/obj/%.o) $(CXX_SRCS:%.cpp=$(B)/obj/%.o)
TLIB_SRCS := $(wildcard tests/lib/*.c)
TLIB_OBJS := $(TLIB_SRCS:%.c=$(B)/obj/%.o)
UNIT_SRCS := $(wildcard tests/unit/*_test.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/unit/%)
E2E_SRCS  := $(wildcard tests/e2e/*_test.c)
E2E_BINS  := $(E2E_SRCS:tests/e2e/%.c=$(B)/tests/e2e/%)
COMPAT_SRCS := $(wildcard tests/compat/*_test.c)
COMPAT_BINS := $(COMPAT_SRCS:tests/compat/%.c=$(B)/tests/compat/%)

.PHONY: all deps check check-build run fuzz bench lint clean tests pkgs
# Keep the test-library objects make would otherwise treat as intermediate.
.SECONDARY:

all: $(B)/kycd

deps:
	@scripts/install-deps
	@scripts/fetch-models

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo '  CC    $<'
	@$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/obj/%.o: %.cpp
	@mkdir -p $(@D)
	@echo '  CXX   $<'
	@$(CXX) $(ALL_CXXFLAGS) -MMD -MP -c $< -o $@

$(B)/libkycd.a: $(OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	@ar rcs $@ $^

$(B)/kycd: $(B)/obj/src/cli/main.o $(B)/libkycd.a
	@echo '  LINK  $@'
	@$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/unit/%: tests/unit/%.c $(TLIB_OBJS) $(B)/libkycd.a
	@mkdir -p $(@D)
	@echo '  LINK  $@'
	@$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(TLIB_OBJS) $(B)/libkycd.a $(PKG_LIBS)

$(B)/tests/e2e/%: tests/e2e/%.c $(TLIB_OBJS) $(B)/libkycd.a
	@mkdir -p $(@D)
	@echo '  LINK  $@'
	@$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(TLIB_OBJS) $(B)/libkycd.a $(PKG_LIBS)

# A PostgreSQL server for tests/run's second pass (tests/tools/pgtmp.c).
$(B)/tests/pgtmp: tests/tools/pgtmp.c $(TLIB_OBJS) $(B)/libkycd.a
	@mkdir -p $(@D)
	@echo '  LINK  $@'
	@$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(TLIB_OBJS) $(B)/libkycd.a $(PKG_LIBS)

# Programs of bench/uploads/run and bench/http/run, linked as kycd is.
$(B)/bench/uploads: bench/uploads/bench.c $(TLIB_OBJS) $(B)/libkycd.a
$(B)/bench/http_fixed_server: bench/http/fixed_server.c $(B)/libkycd.a
$(B)/bench/uploads $(B)/bench/http_fixed_server:
	@mkdir -p $(@D)
	@echo '  LINK  $@'
	@$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/compat/%: tests/compat/%.c $(TLIB_OBJS) $(B)/libkycd.a
	@mkdir -p $(@D)
	@echo '  LINK  $@'
	@$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(TLIB_OBJS) $(B)/libkycd.a $(PKG_LIBS)

# The OpenAPI document is linked into the binary with .incbin.
$(B)/obj/src/http/api_system.o: docs/openapi.yaml
# So are the web pages, scripts and styles (docs/web.md).
$(B)/obj/src/web/assets.o: $(wildcard web/*)

tests: $(B)/kycd $(UNIT_BINS) $(E2E_BINS) $(COMPAT_BINS) $(B)/tests/pgtmp

# The release binary is what users run; the sanitizer build is what the tests exercise.
check: deps
	@scripts/check-banned
	$(MAKE) -j$$(nproc) V=release all
	$(MAKE) -j$$(nproc) V=asan tests
	@KYCD_BIN=build/asan/kycd tests/run build/asan

# The master key of encryption at rest lives beside the data directory, not
# in it (docs/security.md, "Without a key file"): made once, never replaced.
run: export KYCD_MASTER_KEY_FILE := $(or $(KYCD_MASTER_KEY_FILE),./kycd-master.key)
run: deps
	$(MAKE) -j$$(nproc) V=release all
	@mkdir -p $${KYCD_DATA:-./data}
	@[ -e "$$KYCD_MASTER_KEY_FILE" ] || build/release/kycd keys init --out "$$KYCD_MASTER_KEY_FILE"
	build/release/kycd demo --data $${KYCD_DATA:-./data}
	exec build/release/kycd serve --data $${KYCD_DATA:-./data}

FUZZ_SECONDS ?= 30
fuzz: deps
	@scripts/fuzz $(FUZZ_SECONDS)

bench:
	@scripts/install-deps --bench
	@scripts/fetch-models
	$(MAKE) -j$$(nproc) V=release all
	@for b in bench/*/run; do echo "== $$b"; $$b || exit 1; done

.PHONY: deb
deb: deps
	$(MAKE) -j$$(nproc) V=release all
	@scripts/build-deb --bin build/release/kycd --out build/deb

# The pkg-config packages kycd builds with, for the bench programs that link
# the test library or the engine (bench/*/run: PKGS=$$(make -s pkgs)), so a new
# dependency reaches them too.
pkgs:
	@echo $(PKGS)

lint:
	@scripts/check-banned
	cppcheck --quiet --error-exitcode=1 --std=c11 -Isrc --suppress=missingIncludeSystem src

clean:
	rm -rf build

-include $(OBJS:.o=.d) $(B)/obj/src/cli/main.d $(TLIB_OBJS:.o=.d)
