# dmsconform: the two set-up commands are `make run` and `make test`.
GO       ?= go
BIN      ?= bin/dmsconform
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# The whole test chain (vet, the generated-code check, the tests) builds with -race so
# it compiles the dependencies once: on a cold cache that halves CI's compile time.
RACE     ?= -race
GOFILES   = $(shell git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*')

.PHONY: all build run test unit lint generate check-generated bench clean js-setup mutate readme fuzz sdk sdk-matrix record-fixtures reference-reports

all: build

build:
	$(GO) build -ldflags "-X github.com/dmsconform/dmsconform/runner.Version=$(VERSION)" -o $(BIN) ./cmd/dmsconform

## run: the main job: every check against the embedded emulator, reports in
## reports/out/<target>-<timestamp>/ (reports/out/latest points at the newest)
run: build
	./$(BIN) run

## test: every test, the lint checks (go vet, gofmt, actionlint) and the
## generated-code check; ends with the skipped tests and their reasons
test: lint check-generated unit

# -vet=off: lint has run the full go vet already. GORACE atexit_sleep_ms=0: the race
# runtime otherwise sleeps 1 s at the exit of every test binary. -p 4: on 2 cores the
# real-time tests mostly wait, so four packages side by side finish sooner (the runner
# package's TestMain also lets eight of its parallel tests overlap: they mostly wait).
# internal/testsummary runs go test -json and prints what go test prints, then every
# skipped test with its reason and a closing count line. DMSCONFORM_REQUIRE (set by
# .ci/run) turns a missing Node, botocore or moto into failures instead of skips.
# -timeout 270s: CI's whole budget is 5 min, so a test binary still running after
# 4.5 min is stuck; it ends then with every goroutine's stack (testsummary shows the
# panic and counts the unfinished tests as failed) instead of at go test's 10 min.
unit: js-setup
	GORACE="atexit_sleep_ms=0" GO="$(GO)" $(GO) run ./internal/testsummary $(RACE) -vet=off -p 4 -count=1 -timeout 270s ./...

## js-setup: install the aws-sdk-js-v3 adapter of `dmsconform sdk` from its lockfile
## (skipped with the reason when npm is missing: the JS SDK checks are then skipped)
js-setup:
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix suites/sdk/js --no-audit --no-fund; \
	else \
		echo "js-setup: npm not found: skipping the aws-sdk-js-v3 adapter (install Node.js 20+ with npm to run the JS SDK checks)"; \
	fi

# actionlint (a pinned tool dependency in go.mod: go tool actionlint) checks the
# workflows: syntax, expressions and their contexts (matrix, needs, vars), action inputs.
lint:
	$(GO) vet $(RACE) ./...
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) tool actionlint

## generate: regenerate every generated file from the model
generate:
	$(GO) generate ./...

## check-generated: fail when a generated file differs from what the model generates
check-generated:
	GORACE="atexit_sleep_ms=0" $(GO) run $(RACE) ./suites/gen -out suites -check

## bench: the full embedded run against bare SDK calls (runner), and the emulator
## against a bare net/http handler (emulator); read the ratios
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./runner
	$(GO) test -run '^$$' -bench . -benchmem ./emulator

## mutate: the mutation self-test: the kill matrix, every check's proof, 20 identical
## virtual-clock runs and 10 real-time runs side by side (make test runs 3)
mutate: build
	./$(BIN) mutate --repeats 20 --real-time 10 --out reports/out/mutation --markdown reports/out/mutation/matrix.md

## readme: rewrite the README's generated blocks (the mutation tables, the counts)
## from what the tests that keep them equal compute
readme:
	DMSCONFORM_WRITE_README=1 $(GO) test -count=1 -run '^(TestMutationProvesEveryCheck|TestReadmeCounts)$$' ./runner

## sdk: replay the wire fixtures to aws-sdk-go-v2, aws-sdk-js-v3 and botocore (an SDK
## whose runtime is missing is skipped with the reason); known deviations are listed
sdk: build js-setup
	./$(BIN) sdk --sdk all --known-deviations fixtures/known-deviations.sdk.yaml

## sdk-matrix: the SDK version matrix (not part of make test: it downloads and builds
## several SDK versions): the fixtures through each Go SDK version, npm client version
## and the installed botocore of the default matrix (dmsconform sdk --help), each set up
## in a scratch folder ($DMSCONFORM_SDK_VERSIONS_DIR, else the user cache) and reused;
## the page is written to $(SDK_MATRIX_OUT) and copied to fixtures/reports/sdk-versions/
SDK_MATRIX_OUT ?= reports/out/sdk-matrix
sdk-matrix: build js-setup
	@rc=0; ./$(BIN) sdk --versions --out $(SDK_MATRIX_OUT) || rc=$$?; \
	mkdir -p fixtures/reports/sdk-versions && \
	cp $(SDK_MATRIX_OUT)/matrix.html $(SDK_MATRIX_OUT)/matrix.md fixtures/reports/sdk-versions/ && \
	echo "sdk-matrix: copied the page to fixtures/reports/sdk-versions/"; exit $$rc

## record-fixtures: re-record fixtures/recorded/embedded (deterministic: the virtual
## clock, seeded request ids, a fixed check order; the same test fails when it is stale)
record-fixtures:
	DMSCONFORM_RECORD_FIXTURES=1 $(GO) test -count=1 -run '^TestEmbeddedFixtureIsCurrent$$' ./record

## reference-reports: rewrite the committed reference reports of real implementations
## (fixtures/reports/<target>/reference.json: the embedded emulator, the standalone one
## in real time with weather, and moto 5.2.1's server, which needs moto_server on PATH;
## and implementations.md, the three side by side); the same tests fail when a run's
## outcomes differ from them
reference-reports:
	DMSCONFORM_REFERENCE_REPORTS=1 $(GO) test -count=1 -run '^(TestMotoIsUnimplementedNotFailing|TestEmbeddedReferenceReport|TestImplementationsMatrix)$$' ./runner

## fuzz: fuzz the emulator's request handling for 30s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzServeHTTP -fuzztime 30s ./emulator

clean:
	rm -rf bin reports/out
