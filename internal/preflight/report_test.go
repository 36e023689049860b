package preflight

import (
	"bytes"
	"strings"
	"testing"
)

var mixed = []Finding{
	{Account: "111111111111", Region: "eu-west-1", Check: "guardDuty", State: Block, Detail: "mode create, but detector d1 exists", Fix: "set baseline.guardDuty to existing"},
	{Account: "111111111111", Region: "eu-west-1", Check: "config", State: OK, Detail: "mode create; not running"},
	{Account: "222222222222", Region: "us-east-1", Check: "bootstrap version", State: Unknown, Detail: "needs ssm:GetParameter"},
}

func TestReport_ATablePerAccountRegionWithTheFixAndACount(t *testing.T) {
	var out bytes.Buffer
	if err := WriteTable(&out, mixed); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"== account 111111111111, eu-west-1\n", "== account 222222222222, us-east-1\n",
		"set baseline.guardDuty to existing", "1 blocking, 0 warnings, 1 could not be checked, 1 ok"} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
	if strings.Count(text, "CHECK") != 2 {
		t.Errorf("want one table per account-region:\n%s", text)
	}
}

func TestReport_OnlyABlockingFindingFails(t *testing.T) {
	if !Blocks(mixed) {
		t.Error("a blocking finding must fail the preflight")
	}
	if Blocks(mixed[1:]) {
		t.Error("what could not be checked must not fail the preflight on its own")
	}
}
