// Package cost estimates what a synthesized platform costs a month, offline: it reads the
// cloud assembly (what will really be deployed), prices each resource's fixed charges from a
// price table kept as data (prices.json), adds the usage-dependent charges a usage file assumes
// (usage.json, overridable), and says of every other resource type why it is free or priced by
// usage only. `make cost` prints it and writes cdk.out/cost.json; `make diff` prints it before
// and after.
package cost

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
)

//go:embed prices.json
var pricesJSON []byte

// Item is one price of the table: its unit, where it was read and when, and its figure per region.
type Item struct {
	What   string `json:"what"`
	Unit   string `json:"unit"`
	Source string `json:"source"`
	Read   string `json:"read"`
	// Published are the regions whose figure was read from Source ("all": one price everywhere);
	// the others are the us-east-1 figure times the region's factor.
	Published []string           `json:"published"`
	USD       map[string]float64 `json:"usd"`
}

// Table is the price table.
type Table struct {
	About         string             `json:"about"`
	Currency      string             `json:"currency"`
	HoursPerMonth float64            `json:"hoursPerMonth"`
	RegionFactors map[string]float64 `json:"regionFactors"`
	Items         map[string]Item    `json:"items"`
}

// Prices is the table shipped in prices.json.
func Prices() (*Table, error) { return ParseTable(pricesJSON) }

// ParseTable reads a price table.
func ParseTable(data []byte) (*Table, error) {
	var t Table
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("internal/cost/prices.json: %w", err)
	}
	if t.HoursPerMonth <= 0 {
		return nil, fmt.Errorf("internal/cost/prices.json: hoursPerMonth %v: give the hours a month is billed for, 730", t.HoursPerMonth)
	}
	return &t, nil
}

// Price is item's price in region, or an error saying what to add to the table.
func (t *Table) Price(item, region string) (float64, error) {
	it, ok := t.Items[item]
	if !ok {
		return 0, fmt.Errorf("internal/cost/prices.json: no item %q; add it with its unit, source page, date read and a price per region", item)
	}
	usd, ok := it.USD[region]
	if !ok {
		return 0, fmt.Errorf("internal/cost/prices.json: items.%s has no price for %s; read it from %s and add it", item, region, it.Source)
	}
	return usd, nil
}

// ItemNames are the table's items, sorted.
func (t *Table) ItemNames() []string {
	names := make([]string, 0, len(t.Items))
	for name := range t.Items {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
