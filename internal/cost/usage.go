package cost

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
)

//go:embed usage.json
var usageJSON []byte

// Assumption is a usage-dependent charge: Quantity of Unit for each resource of type Per in an
// environment's region, priced by the table's item Price.
type Assumption struct {
	Name     string  `json:"name"`
	Per      string  `json:"per"`
	Quantity float64 `json:"quantity"`
	Unit     string  `json:"unit"`
	Price    string  `json:"price"`
	Why      string  `json:"why"`
}

// Usage is what the estimate assumes beyond the templates.
type Usage struct {
	About string `json:"about,omitempty"`
	// ConfigEvaluationsPerRule is how often each AWS Config rule is evaluated a month.
	ConfigEvaluationsPerRule float64      `json:"configEvaluationsPerRule"`
	Assumptions              []Assumption `json:"assumptions"`
}

// DefaultUsage is usage.json: the documented defaults.
func DefaultUsage() (*Usage, error) { return parseUsage(usageJSON, "internal/cost/usage.json") }

// LoadUsage is the defaults with the file at path over them ("": the defaults alone): an
// assumption of the same name takes the file's quantity (and unit, price, why where given), a
// new name is added, and configEvaluationsPerRule replaces the default when set.
func LoadUsage(path string) (*Usage, error) {
	usage, err := DefaultUsage()
	if err != nil || path == "" {
		return usage, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("usage file: %w", err)
	}
	override, err := parseUsage(data, path)
	if err != nil {
		return nil, err
	}
	if override.ConfigEvaluationsPerRule > 0 {
		usage.ConfigEvaluationsPerRule = override.ConfigEvaluationsPerRule
	}
	for _, a := range override.Assumptions {
		replaced := false
		for i, d := range usage.Assumptions {
			if d.Name == a.Name {
				usage.Assumptions[i].Quantity = a.Quantity
				if a.Per != "" {
					usage.Assumptions[i].Per = a.Per
				}
				if a.Price != "" {
					usage.Assumptions[i].Price, usage.Assumptions[i].Unit = a.Price, a.Unit
				}
				if a.Why != "" {
					usage.Assumptions[i].Why = a.Why
				}
				replaced = true
			}
		}
		if !replaced {
			if a.Per == "" || a.Price == "" {
				return nil, fmt.Errorf("%s: assumption %q is new: give per (a resource type) and price (an item of internal/cost/prices.json)", path, a.Name)
			}
			usage.Assumptions = append(usage.Assumptions, a)
		}
	}
	return usage, nil
}

func parseUsage(data []byte, path string) (*Usage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var u Usage
	if err := dec.Decode(&u); err != nil {
		return nil, fmt.Errorf("%s: %w (fields: configEvaluationsPerRule, assumptions[].name/per/quantity/unit/price/why)", path, err)
	}
	for i, a := range u.Assumptions {
		if a.Name == "" || a.Quantity < 0 {
			return nil, fmt.Errorf("%s: assumptions[%d]: give a name and a quantity of 0 or more", path, i)
		}
	}
	return &u, nil
}
