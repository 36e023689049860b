package baseline

// Mode is what the baseline does about one security service in its account-region. The zero
// value is Off.
type Mode int

// The modes of a service.
const (
	// Off: the service does not run here; what needs it (its rules, standards, routes) is left
	// out too.
	Off Mode = iota
	// Existing: the organization runs the service here; the baseline creates none of the
	// service's own resources and keeps everything that needs the service.
	Existing
	// Create: the baseline creates the service here, and what needs it waits for it.
	Create
)

// Runs reports whether the service runs in the account-region, the baseline's or another's.
func (m Mode) Runs() bool { return m != Off }

func (m Mode) String() string {
	switch m {
	case Existing:
		return "Existing"
	case Create:
		return "Create"
	}
	return "Off"
}
