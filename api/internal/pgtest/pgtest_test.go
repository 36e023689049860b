package pgtest

import "testing"

func TestStart_RunsAServerThatAcceptsTLSLogins(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	db, err := s.CreateDatabase(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Exec(t.Context(), db, "CREATE TABLE t (x int)", "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
}
