# The commands the README names. `make synth` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := synth

# The platform config to synthesize; any file in config/ (or your own).
CONFIG ?= config/example.json
# jsii prints an end-of-life banner on Node 20 in every synth otherwise.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

CDK := npx --no-install cdk
# Every Go file in the repository, api/ included.
GO_FILES = $(shell git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*')

.PHONY: synth test check bootstrap preflight deps nag fuzz diff pr-diff bench docs diagram cost clean postgresql

## synth: install what is needed, synthesize $(CONFIG) into cdk.out and list the stacks made
## (IMAGE_DIGEST=sha256:... deploys that release instead of the bootstrap image)
synth: node_modules/.installed
	@go mod download
	@rm -rf cdk.out
	@echo "Synthesizing $(CONFIG) into cdk.out"
	@$(call quiet,$(CDK) synth --quiet --no-notices -c config=$(CONFIG) $(if $(IMAGE_DIGEST),-c imageDigest=$(IMAGE_DIGEST)))
	@echo "Stacks in cdk.out (stage/stack (CloudFormation name)):"
	@$(CDK) ls --no-notices --app cdk.out '**'

# quiet runs a cdk command without the lines that read like an instruction or an error and are
# neither: the CLI's "Supply a stack id (...) to display its template.", which it prints for any
# app of several stacks, --quiet or not; and, when the app has failed and said why, `go run`'s
# "exit status 1" and the CLI's "<app command>: Subprocess exited with error 1". Each stream is
# filtered on its own (the CLI logs to stdout when CI=true) and the command's status is kept.
# jsii-runtime-go v1.139.0 (the pinned runtime) also glues "Runtime process exited abnormally:
# waitid: no child processes" onto the next line when its two waits for Node race on exit;
# v1.142.0 fixes that but refuses to read the cloud assembly's manifest, so the text is cut here.
QUIET_FILTER := sed -E -e 's/Runtime process exited abnormally: waitid: no child processes//' \
  -e '/^Supply a stack id \(.*\) to display its template\.$$/d' \
  -e '/^exit status [0-9]+$$/d' -e '/: Subprocess exited with error [0-9]+$$/d'
quiet = { { $(1) | $(QUIET_FILTER); } 2>&1 1>&3 | $(QUIET_FILTER) >&2; } 3>&1

# TEST_PACKAGES are what make test runs, ./test first: its run is the longest by far, and go
# test starts packages' runs in the order it is given them (make bench times the same list).
TEST_PACKAGES := ./test ./...

## test: vet, check formatting and run every test (what CI runs), the service's in api/ too
## (its own module, which the root's ./... does not reach; its database tests start a real
## PostgreSQL server, which the postgresql target installs); Control Tower's proactive-control
## rules run with the cfn-guard that package.json pins
test: node_modules/.installed postgresql
	go mod download
	cd api && go mod download
	go vet ./...
	cd api && go vet ./...
	@unformatted="$$(gofmt -l $(GO_FILES))"; \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted (run gofmt -w)"; exit 1; fi
	go test $(TEST_PACKAGES)
	cd api && go test ./...

## postgresql: install Debian's PostgreSQL server when no initdb is on the machine: the api's
## database tests start one of their own (initdb + postgres in a temporary directory)
postgresql:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "Installing PostgreSQL for the api's database tests (apt-get install postgresql)"; \
	  sudo=""; if [ "$$(id -u)" != 0 ]; then sudo=sudo; fi; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql; \
	fi

## check: hold $(CONFIG) to every assembly-wide rule the tests hold (create-time hazards, weak
## references, the flow table, the pipeline's limits, cdk-nag, the validator, region health,
## recovery time, approver trust, Control Tower's proactive controls) and report each rule's
## verdict; rules that pin the test fixtures' own shape skip, saying so
CHECK_RULES := ^(TestRule_|TestFlows_|TestPlatform_|TestPlan_)
check: node_modules/.installed
	@go mod download
	@# A config the loader refuses is said once, with its problems, not once per rule.
	@$(call quiet,go run ./cmd/docspath $(CONFIG) > /dev/null)
	@echo "Checking $(CONFIG) against the platform's rules (go test ./test -run '$(CHECK_RULES)')"
	@PLATFORM_CHECK_CONFIG=$(CONFIG) go test ./test -run '$(CHECK_RULES)' -count=1 -json -timeout 60m \
	  | go run ./cmd/checkreport $(CONFIG)

## bootstrap: synthesize $(CONFIG) and print, for every account, the commands that prepare it for
## the first deployment: its scoped CloudFormation execution policies (written to cdk.out/bootstrap/),
## its service-linked roles and `cdk bootstrap` of every region its stacks use, trusting the tooling
## account. RUN=1 runs them, one account at a time, with the AWS CLI profile PROFILE_<account> names
## (or the caller's credentials, which must then be that account's)
## (the synthesis reports on stderr: make bootstrap > bootstrap.sh writes only the script)
bootstrap:
	@$(MAKE) --no-print-directory synth CONFIG=$(CONFIG) >&2
	@go run ./cmd/bootstrap $(if $(RUN),-run) cdk.out $(CONFIG)

## preflight: before the first deployment, read-only AWS calls that report, per account-region of
## $(CONFIG), what would make it fail (bootstrap and its trust, the security services against the
## config's modes, names that exist already, existing clusters' master users, prerequisites, quotas,
## governed regions), each with
## the fix; exit status 1 when anything blocks. Credentials: your own (one account), or
## PROFILE=<account>=<profile>,... or PROFILE_<account>=<profile> as make bootstrap takes (a profile per account) and/or ROLE=<name> (assumed in each
## other account); JSON=1 prints JSON; ASSEMBLY=<dir> reads that assembly instead of synthesizing
## (docs/deploying.md, "Preflight")
# An ASSEMBLY= given on the command line (pr-diff's default does not count) skips the synth.
PREFLIGHT_ASSEMBLY = $(if $(filter command line environment,$(origin ASSEMBLY)),$(ASSEMBLY))
PREFLIGHT_FLAGS = -config $(CONFIG) $(if $(PROFILE),-profile '$(PROFILE)') $(if $(ROLE),-role '$(ROLE)')
preflight:
	@go mod download
	@# Without credentials there is nothing to check: say so in one line before synthesizing.
	@$(call quiet,go run ./cmd/preflight $(PREFLIGHT_FLAGS) -credentials-only)
	@$(if $(PREFLIGHT_ASSEMBLY),,$(MAKE) --no-print-directory synth CONFIG=$(CONFIG) >&2)
	@$(call quiet,go run ./cmd/preflight $(PREFLIGHT_FLAGS) -assembly $(or $(PREFLIGHT_ASSEMBLY),cdk.out) $(if $(JSON),-json))

## deps: install the pinned CDK CLI and the Go modules
deps: node_modules/.installed
	go mod download

# .npmrc: legacy-peer-deps, so the cfn-guard package does not pull aws-cdk-lib (its peer, which
# the Go app does not use) into node_modules.
node_modules/.installed: package.json package-lock.json .npmrc
	npm ci --no-audit --no-fund
	touch $@

## nag: synthesize and summarize cdk-nag's AwsSolutions findings per rule (suppressed ones too)
nag: synth
	@awk -F'","' 'FNR > 1 && $$3 != "Compliant" && $$3 != "N/A" { gsub(/"/, "", $$1); n[$$1 " " $$3]++ } \
	  END { if (length(n) == 0) print "cdk-nag: no findings"; for (k in n) print n[k], k }' cdk.out/AwsSolutions-*-NagReport.csv | sort -k2

## diff: BASE=<git ref>: synthesize BASE and the working tree, print how every stack's template
## changes (no AWS credentials needed; CDK's validator is skipped, `make synth` runs it)
diff: node_modules/.installed
	@test -n "$(BASE)" || { echo "usage: make diff BASE=<git ref> [CONFIG=$(CONFIG)]"; exit 2; }
	rm -rf .diff && git worktree prune && mkdir -p .diff
	git worktree add --detach .diff/base "$(BASE)" >/dev/null
	ln -s "$(CURDIR)/node_modules" .diff/base/node_modules
	@cd .diff/base && $(call quiet,CDK_VALIDATION=false $(CDK) synth --quiet --no-notices -c config=$(CONFIG) -o "$(CURDIR)/.diff/base.out") >/dev/null
	@$(call quiet,CDK_VALIDATION=false $(CDK) synth --quiet --no-notices -c config=$(CONFIG) -o .diff/head.out) >/dev/null
	git worktree remove --force .diff/base
	@go run ./cmd/templatediff .diff/base.out .diff/head.out
	@go run ./cmd/cost -config $(CONFIG) $(if $(USAGE),-usage $(USAGE)) -base .diff/base.out .diff/head.out || true

## pr-diff: diff the stacks of every environment stage in $(ASSEMBLY) (default cdk.out, from make
## synth) against what is deployed, into $(DIFF_FILE) (default cdk-diff.txt) and the output. It
## reads each deployed template through its account and region's CDK lookup role (--method
## template: no change sets) and fails when the diff fails, e.g. on a stack it cannot read.
## The tooling stacks are left out: the pull-request checks can read only the stages' accounts.
ASSEMBLY ?= cdk.out
DIFF_FILE ?= cdk-diff.txt
pr-diff:
	@test -f "$(ASSEMBLY)/manifest.json" || { echo "$(ASSEMBLY) holds no cloud assembly: run make synth first"; exit 2; }
	@stages="$$($(CDK) ls --app "$(ASSEMBLY)" '**' | sed -n 's|^\([^/ ]*\)/.*|\1|p' | sort -u)"; \
	  test -n "$$stages" || { echo "$(ASSEMBLY) has no environment stage to diff"; exit 1; }; \
	  patterns=(); for stage in $$stages; do patterns+=("$$stage/*"); done; \
	  echo "cdk diff --method template $${patterns[*]}"; \
	  $(CDK) diff --app "$(ASSEMBLY)" --method template "$${patterns[@]}" 2>&1 | tee "$(DIFF_FILE)"
	@go run ./cmd/cost -summary "$(ASSEMBLY)" | tee -a "$(DIFF_FILE)"

## cost: synthesize $(CONFIG) and print each environment's monthly estimate by region, stack and
## resource type, the usage it assumes apart (USAGE=<file> over internal/cost/usage.json), and the
## platform's total; writes cdk.out/cost.json. Offline: prices come from internal/cost/prices.json
cost: node_modules/.installed
	@go mod download
	@rm -rf cdk.out
	@echo "Synthesizing $(CONFIG) into cdk.out"
	@$(call quiet,CDK_VALIDATION=false $(CDK) synth --quiet --no-notices -c config=$(CONFIG)) >/dev/null
	@go run ./cmd/cost -config $(CONFIG) $(if $(USAGE),-usage $(USAGE)) cdk.out

## bench: time synthesis against a one-bucket baseline, growth with regions, the warm tests,
## stack sizes against CloudFormation's limits and the Go benchmarks; writes bench/results.md
bench: node_modules/.installed
	go run ./cmd/bench $(TEST_PACKAGES)

## docs: synthesize $(CONFIG) and generate its architecture.md (Mermaid) and runbook.md from cdk.out:
## in docs/ for config/example.json, in docs/<platform name>/ for any other config
docs: synth
	@dir="$$(go run ./cmd/docspath $(CONFIG))"; mkdir -p "$$dir"; \
	  go run ./cmd/diagram cdk.out $(CONFIG) > "$$dir/architecture.md"; \
	  go run ./cmd/runbook cdk.out $(CONFIG) > "$$dir/runbook.md"; \
	  echo "$$dir/architecture.md and $$dir/runbook.md written from $(CONFIG)"

## diagram: the same as docs
diagram: docs

## fuzz: fuzz the config loader for a minute (FUZZTIME=10m for longer)
fuzz:
	go test ./lib/config -run '^$$' -fuzz FuzzLoad -fuzztime $${FUZZTIME:-60s}

clean:
	rm -rf cdk.out .diff cdk-diff.txt
	git worktree prune
