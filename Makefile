# wimgraft - graft a Windows Server feature into a Windows client image, offline.
#
#   make            build ./wimgraft
#   make deps       install the Debian packages the build and the tests need
#   make check      unit and end-to-end tests, then the same under ASan + UBSan
#   make check-crash every kill point of the crash sweeps (check samples a few); 3 per
#                   system call of the mount sweep t8002
#   make demo       build small demo images and run the main job on them
#   make fuzz       run the fuzz targets for a bounded time
#   make bench      benchmarks (large images, not part of check)
#   make install    install the binary, shipped manifests, JSON schemas, man page and bash
#                   completion (PREFIX=/usr/local)
#   make deb        build build/deb/wimgraft_<version>_amd64.deb with dpkg-deb

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share/wimgraft
MANDIR    ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
BUILD     ?= build
SAN       ?=
CC        ?= cc

PKGS      := wimlib libxml-2.0 hivex json-c libcrypto libntfs-3g libudfread
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
HIVEX_VER  = $(shell pkg-config --modversion hivex 2>/dev/null)

OPT       ?= -O2 -g
ifeq ($(SAN),1)
OPT       := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
SANLD     := -fsanitize=address,undefined
endif
ifeq ($(SAN),fuzz)
OPT       := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
SANLD     := -fsanitize=fuzzer,address,undefined
endif

WFLAGS    := -Wall -Wextra -Werror
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WFLAGS) $(OPT) $(CFLAGS) $(PKG_CFLAGS) -Isrc \
             -DWIMGRAFT_VERSION='"$(VERSION)"' -DHIVEX_VERSION_STRING='"$(HIVEX_VER)"' \
             -DWIMGRAFT_DATADIR='"$(DATADIR)"' -MMD -MP
ALL_LDLIBS = $(SANLD) $(LDFLAGS) $(PKG_LIBS)

SRCS      := $(wildcard src/*.c)
LIB_OBJS  := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(filter-out src/main.c,$(SRCS)))
MAIN_OBJ  := $(BUILD)/obj/main.o
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))

ifeq ($(BUILD),build)
PROG      := wimgraft
else
PROG      := $(BUILD)/wimgraft
endif

.PHONY: all deps check check-crash test unit-tests demo fuzz fuzz-build bench install uninstall clean fixtures deb

all: $(PROG)

$(PROG): $(MAIN_OBJ) $(LIB_OBJS)
	$(CC) -o $@ $^ $(ALL_LDLIBS)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/unit/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< $(LIB_OBJS) \
		$(ALL_LDLIBS) $(shell pkg-config --libs cmocka)

unit-tests: $(UNIT_BINS)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJS) $(ALL_LDLIBS)

fuzz-build: $(FUZZ_BINS)

deps:
	@sh tests/deps.sh

fixtures: deps all
	@sh samples/mkimages.sh --test build/fixtures

# The whole suite, then again under AddressSanitizer + UBSan.
check: deps
	@$(MAKE) -s --no-print-directory all unit-tests
	@$(MAKE) -s --no-print-directory BUILD=build/asan SAN=1 all unit-tests
	@sh tests/run.sh

check-crash: deps
	@$(MAKE) -s --no-print-directory all
	@sh samples/mkimages.sh --test build/fixtures
	@for t in tests/e2e/t75*-crash-*.sh; do \
		WG_CRASH_ALL=1 WIMGRAFT_BIN=$(CURDIR)/wimgraft sh $$t || exit 1; done
	@# on mounts each point mounts afresh: 3 per system call (make check tries 1)
	@WG_CRASH_SAMPLE=3 WIMGRAFT_BIN=$(CURDIR)/wimgraft sh tests/e2e/t8002-crash-mounts.sh

test: check

demo: deps all
	@sh samples/demo.sh

fuzz: deps
	@$(MAKE) --no-print-directory BUILD=build/fuzz SAN=fuzz CC=clang fuzz-build
	@sh tests/fuzz/run.sh build/fuzz/fuzz $(or $(FUZZ_SECONDS),30)

bench: deps all
	@sh tests/bench/run.sh
	@sh tests/bench/catalogs.sh
	@sh tests/bench/limits.sh

.PHONY: bench-catalogs
# The catalog-choice benchmark alone (make bench runs it too).
bench-catalogs: deps all
	@sh tests/bench/catalogs.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/manifests $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(PROG) $(DESTDIR)$(BINDIR)/wimgraft
	install -m 644 manifests/*.xml manifests/*.xsd $(DESTDIR)$(DATADIR)/manifests/
	if ls manifests/*.reg >/dev/null 2>&1; then install -m 644 manifests/*.reg $(DESTDIR)$(DATADIR)/manifests/; fi
	install -m 644 doc/wimgraft.1 $(DESTDIR)$(MANDIR)/man1/wimgraft.1
	install -d $(DESTDIR)$(DATADIR)/json
	install -m 644 doc/json/*.schema.json $(DESTDIR)$(DATADIR)/json/
	install -d $(DESTDIR)$(COMPLETIONDIR)
	install -m 644 completion/wimgraft.bash $(DESTDIR)$(COMPLETIONDIR)/wimgraft

# A Debian package of a binary built for /usr (its own build folder, so ./wimgraft is untouched).
DEB_FLAGS  = DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get
deb: deps
	@$(MAKE) -s --no-print-directory BUILD=build/deb PREFIX=/usr \
		CFLAGS="$$($(DEB_FLAGS) CPPFLAGS) $$($(DEB_FLAGS) CFLAGS)" LDFLAGS="$$($(DEB_FLAGS) LDFLAGS)" all
	@sh packaging/mkdeb.sh $(VERSION) build/deb build/deb

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/wimgraft $(DESTDIR)$(MANDIR)/man1/wimgraft.1 \
		$(DESTDIR)$(COMPLETIONDIR)/wimgraft
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build/obj build/unit build/asan build/fuzz build/tests build/deb wimgraft

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/unit/*.d $(BUILD)/fuzz/*.d)
