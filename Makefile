# The project's commands. `make test` is what CI runs (.ci/run).
#
#   make test      file sizes, vet, generated-code check, API guard, doc snippets, race tests
#                  of every module, allocation guards, release-check (what CI runs)
#   make bench     side-by-side benchmarks with the vendor SDK (internal/conformance)
#   make fuzz      each fuzz target for FUZZTIME
#   make lint      staticcheck on every module
#   make generate  regenerate the typed actions from internal/spec
#   make api       record the exported API of every module in api/ (see CONTRIBUTING.md)
#   make release-check  build the modules as users of the next release get them (RELEASING.md)
#   make gomin     vet every module with the oldest Go its go directive allows

# Every Go module in the repository: the root and the nested ones.
MODULES := $(shell find . -name go.mod -not -path './.git/*' -exec dirname {} \; | sort)
FUZZTIME ?= 30s
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

# Every module is built on its own, as its users build it: a go.work the
# developer may keep for an editor must not change what the checks see.
export GOWORK := off

.PHONY: test vet docscheck race allocs gencheck generate lint bench fuzz api apicheck sizecheck release-check gomin

# The version the next release would tag (RELEASING.md).
RELEASE_VERSION ?= v0.1.0

test: sizecheck vet gencheck apicheck docscheck race allocs release-check

vet:
	@for m in $(MODULES); do echo "== go vet $$m"; (cd $$m && go vet ./...) || exit 1; done

# Modules whose tests need a Redis server run under scripts/with-redis.sh,
# which installs (as root) and starts one on a free loopback port.
race:
	@for m in $(MODULES); do \
		echo "== go test -race $$m"; \
		if [ -f $$m/.needs-redis ]; then \
			(cd $$m && $(CURDIR)/scripts/with-redis.sh go test -race -count=1 ./...) || exit 1; \
		else \
			(cd $$m && go test -race -count=1 ./...) || exit 1; \
		fi; \
	done

# Allocation guards of the hot path (allocs_test.go, at the budgets
# BENCHMARKS.md reports). Built without -race, which changes allocation
# counts.
allocs:
	@echo "== allocation guards"; go test -count=1 -run 'Allocs$$' .

# Type-checks every Go snippet of README.md and docs/*.md against the
# modules (internal/tools/snippets), so that docs cannot drift from the API.
docscheck:
	@echo "== Go snippets of the docs type-check"; cd internal/tools && go run ./snippets -repo $(CURDIR)

# Fails when the generated files differ from what the generator writes now.
gencheck:
	@if [ -f internal/gen/main.go ]; then echo "== generated code is current"; go run ./internal/gen -check || { echo "generated code is stale: run 'make generate' and commit"; exit 1; }; fi

generate:
	go generate ./...

# The API guard: fails when an exported element recorded in api/ was removed
# or changed and that change is not recorded (make api) and named in
# CHANGELOG.md. Additions pass.
apicheck:
	@echo "== API guard: exported API against api/"
	@cd internal/tools && go run ./apiguard -repo $(CURDIR) || { echo "API guard failed: see above; an intended change needs 'make api' and a CHANGELOG.md line"; exit 1; }

# Records the current exported API of every module in api/.
api:
	cd internal/tools && go run ./apiguard -repo $(CURDIR) -write

# What users of release $(RELEASE_VERSION) would see: go.mod requirements,
# replace directives and Go versions, every module built against a local
# file proxy of the modules the tags would publish, and a module outside the
# repository that requires them and runs a call against rtctest.
release-check:
	@cd internal/tools && go run ./releasecheck -repo $(CURDIR) -version $(RELEASE_VERSION)

# Builds and vets every module (tests included) with the oldest Go its go
# directive allows (go 1.23 -> go1.23.0), downloaded as a toolchain module
# through the Go module proxy. Slow on a cold cache, so not part of make
# test; run before a release and after raising a dependency.
gomin:
	@for m in $(MODULES); do \
		v=$$(cd $$m && go mod edit -json | sed -n 's/^[[:space:]]*"Go": "\(.*\)",*$$/\1/p'); \
		case $$v in *.*.*) ;; *) v=$$v.0 ;; esac; \
		echo "== go$$v vet $$m"; (cd $$m && GOTOOLCHAIN=go$$v go vet ./...) || exit 1; \
	done

# No tracked file over 1 MiB.
sizecheck:
	@echo "== tracked file sizes"
	@scripts/check-file-sizes.sh

lint:
	@for m in $(MODULES); do echo "== staticcheck $$m"; (cd $$m && go run $(STATICCHECK) ./...) || exit 1; done

bench:
	cd internal/conformance && ./bench.sh

fuzz:
	@for t in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' *_test.go | sed 's/func //'); do \
		echo "== fuzz $$t"; go test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) . || exit 1; \
	done
