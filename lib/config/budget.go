package config

// Budget is the environment's AWS Budgets cost budget: it tells the environment's alert topic
// (in its primary region) when the month's forecast reaches the limit and when the actual cost
// reaches 80 % and 100 % of it.
type Budget struct {
	// MonthlyUSD is the budget's monthly limit in whole US dollars. Run `make cost` for the
	// environment's estimate and set it with a margin (make cost says when a budget is below the
	// estimate). Default: 1000.
	MonthlyUSD int `json:"monthlyUsd,omitempty"`
}

// DefaultBudgetMonthlyUSD is the limit of a budget the config gives none: a placeholder that
// make cost compares with the estimate.
const DefaultBudgetMonthlyUSD = 1000

// MaxBudgetMonthlyUSD is the largest limit the platform accepts: a typo guard, far above any
// estimate.
const MaxBudgetMonthlyUSD = 10_000_000

// EnvironmentTagKey is the key of the tag that names an environment on every resource, which
// an environment's budget filters by where accounts are shared. Read it through here only.
func EnvironmentTagKey(p *Platform) string { return p.Tags.Keys.Environment }

func applyBudgetDefaults(d defaulted, path string, b *Budget) {
	d.int(path+".monthlyUsd", &b.MonthlyUSD, DefaultBudgetMonthlyUSD)
}

func validateBudget(path string, b Budget, found *problems) {
	if b.MonthlyUSD < 0 || b.MonthlyUSD > MaxBudgetMonthlyUSD {
		found.addf(path+".monthlyUsd", "%s: give the monthly limit in whole US dollars, 1 to %d (make cost prints the estimate)",
			found.value(path+".monthlyUsd", b.MonthlyUSD), MaxBudgetMonthlyUSD)
	}
}
