# dmsconform: the two set-up commands are `make run` and `make test`.
GO       ?= go
BIN      ?= bin/dmsconform
GOFILES   = $(shell git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*')

.PHONY: all build run test unit lint generate check-generated bench clean js-setup

all: build

build:
	$(GO) build -o $(BIN) ./cmd/dmsconform

## run: the main job (for now: print the model; later issues run the suites)
run: build
	./$(BIN) model

## test: every test, the lint checks and the generated-code check
test: lint check-generated unit

unit: js-setup
	$(GO) test -race -count=1 ./...

## js-setup: install the aws-sdk-js-v3 adapter of `dmsconform sdk` from its lockfile
## (skipped with the reason when npm is missing: the JS SDK checks are then skipped)
js-setup:
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix suites/sdk/js --no-audit --no-fund; \
	else \
		echo "js-setup: npm not found: skipping the aws-sdk-js-v3 adapter (install Node.js 20+ with npm to run the JS SDK checks)"; \
	fi

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## generate: regenerate every generated file from the model
generate:
	$(GO) generate ./...

## check-generated: fail when the committed generated files are stale
check-generated:
	@$(MAKE) -s generate
	@git diff --exit-code --stat -- . ':(exclude)go.sum' || { echo "generated files are stale: run 'make generate' and commit the result"; exit 1; }

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin reports/out
