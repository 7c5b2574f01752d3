# SPDX-License-Identifier: GPL-2.0
# xen-pv-suspend: see README.  Every target is a thin wrapper around scripts/.

SHELL := /bin/bash
FORCE ?= 0

.PHONY: help deps tree kernel test-kernel selftests check kunit test series series-check export clean \
	rig-images integration demo helper bench

help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)

## deps          install the missing build dependencies with apt (idempotent)
deps:
	@scripts/deps

## tree          bring the cached kernel tree to pristine + patches/series + new files
##               (FORCE=1 discards local edits in the tree)
tree: deps
	@scripts/prepare-tree $(if $(filter 1,$(FORCE)),--force)

## kernel        build the guest bzImage (tinyconfig + Kconfig.fragment, ccache)
kernel: tree
	@scripts/build-kernel guest

## test-kernel   build the rig's debug kernel: Kconfig.fragment + tests/kconfig/debug.fragment
##               (lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_VM, KALLSYMS, KUnit built in)
##               + tests/kconfig/hotplug.fragment (the balloon's memory hotplug, as Debian)
test-kernel: tree
	@scripts/build-kernel test

## selftests     build tests/selftests/* static from the prepared tree; the last line of
##               stdout is the directory that holds one executable per test
selftests: tree
	@scripts/build-selftests

## helper        build the dom0 helper scripts/xps-lean.c (lean xl save/migrate) into
##               $XPS_CACHE/build/xps-lean; the last line of stdout is its path
helper: deps
	@scripts/build-helper

## check         series applies; checkpatch --strict; sparse and W=1 on touched files
check: deps
	@scripts/check

## kunit         KUnit suites under QEMU (x86_64), counted per case
kunit: deps
	@scripts/kunit

## test          check + tools + kunit + host; ends with "N passed, N failed"
test: deps
	@scripts/test

## series        the change as a git format-patch series with a cover letter
##               (OUT=dir, default $XPS_CACHE/series)
series: tree
	@scripts/series $(OUT)

## series-check  build the kernel after each patch of the series (slow)
series-check: tree
	@scripts/series-check

## export        turn the commits of the cached tree back into patches/ and new files
export: deps
	@scripts/export

## rig-images    build or check the cached Xen-in-QEMU rig images (first run ~7 min)
rig-images: deps
	@scripts/rig images

## integration   the rig scenarios (boot, xl save+restore, save -c, migrate, the lean
##               suspend; XPS_MIGRATE_SSH=1: ssh migrate for stock) for CONFIGS (default
##               "stock test lean debian": Debian's kernel, the debug kernel with 2 vCPUs +
##               selftests, the debug kernel with 1 vCPU and the lean scenarios, the
##               debug kernel on the Debian guest with the DHCP clients), on one
##               boot of the rig (the guest swapped between them); the integration tier of "make test"
CONFIGS ?= stock test lean debian
integration: deps
	@tests/integration/matrix $(CONFIGS)

## demo          build the patched guest, boot the rig, xl save/restore, checkpoint and
##               migrate, and print a table of the results
demo: deps
	@scripts/demo

## bench         the lean suspend against the same kernel with it off, on the rig: a 1 GiB
##               guest with 600 MiB of clean page cache and 100 MiB of live anonymous
##               memory; image, save, restore, migrate, downtime, repopulation rate.
##               Prints a markdown table; results.md, results.json and bench.png go to
##               $XPS_CACHE/bench (OUT=dir to change; about 7 minutes warm; RUNS=N
##               repeats it N times on the same rig and reports medians, 5 min a run;
##               HOTPLUG=debian uses Debian's hotplug scripts in dom0, 9-10 s slower
##               per migration under TCG, instead of scripts/rig-hotplug-*)
bench: deps
	@scripts/bench $(if $(OUT),--out $(OUT)) $(if $(RUNS),--runs $(RUNS)) $(if $(HOTPLUG),--hotplug $(HOTPLUG))

## clean         remove this version's build directories from the cache (keeps the tree)
clean:
	@scripts/clean
