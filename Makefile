# Every Go module in the repository: the root and the nested ones.
MODULES := $(shell find . -name go.mod -not -path './.git/*' -exec dirname {} \; | sort)

.PHONY: test vet race generate lint bench fuzz

test: vet race

vet:
	@for m in $(MODULES); do echo "== go vet $$m"; (cd $$m && go vet ./...) || exit 1; done

race:
	@for m in $(MODULES); do echo "== go test -race $$m"; (cd $$m && go test -race -count=1 ./...) || exit 1; done

generate:
	go generate ./...

lint:
	@for m in $(MODULES); do echo "== staticcheck $$m"; (cd $$m && go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...) || exit 1; done
