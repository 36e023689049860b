package postgres

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"math/big"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// fakeServer speaks just enough of the PostgreSQL protocol for pgx: TLS, a password
// login, and one-column answers to the checks' queries. It lets the tests run the real
// pgx pool, with its hooks and its errors, without a database.
type fakeServer struct {
	t  *testing.T
	ln net.Listener

	mu         sync.Mutex
	password   string // the password that logs in
	inRecovery bool
	logins     []map[string]string // startup parameters of each successful login
	plaintext  int                 // connections that did not ask for TLS
	failed     int                 // logins refused
}

func startFakeServer(t *testing.T, password string) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeServer{t: t, ln: ln, password: password}
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{selfSignedCertificate(t)}}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { s.serve(conn, tlsConfig) })
		}
	})
	return s
}

// endpoint is the server's address as an Endpoint.
func (s *fakeServer) endpoint() Endpoint {
	host, port, _ := net.SplitHostPort(s.ln.Addr().String())
	p, _ := strconv.Atoi(port)
	return Endpoint{Host: host, Port: p}
}

func (s *fakeServer) set(f func(s *fakeServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *fakeServer) serve(conn net.Conn, tlsConfig *tls.Config) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	msg, err := pgproto3.NewBackend(conn, conn).ReceiveStartupMessage()
	if err != nil {
		return
	}
	if _, ok := msg.(*pgproto3.SSLRequest); !ok {
		s.set(func(s *fakeServer) { s.plaintext++ })
		return
	}
	if _, err := conn.Write([]byte{'S'}); err != nil {
		return
	}
	tlsConn := tls.Server(conn, tlsConfig)
	defer tlsConn.Close()
	be := pgproto3.NewBackend(tlsConn, tlsConn)
	msg, err = be.ReceiveStartupMessage()
	startup, ok := msg.(*pgproto3.StartupMessage)
	if err != nil || !ok {
		return
	}
	if !s.login(be, startup) {
		return
	}
	s.answerQueries(be)
}

func (s *fakeServer) login(be *pgproto3.Backend, startup *pgproto3.StartupMessage) bool {
	be.Send(&pgproto3.AuthenticationCleartextPassword{})
	if be.Flush() != nil || be.SetAuthType(pgproto3.AuthTypeCleartextPassword) != nil {
		return false
	}
	msg, err := be.Receive()
	pw, ok := msg.(*pgproto3.PasswordMessage)
	if err != nil || !ok {
		return false
	}
	s.mu.Lock()
	accepted := pw.Password == s.password
	if accepted {
		s.logins = append(s.logins, startup.Parameters)
	} else {
		s.failed++
	}
	s.mu.Unlock()
	if !accepted {
		be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", Code: codeInvalidPassword,
			Message: `password authentication failed for user "` + startup.Parameters["user"] + `"`})
		_ = be.Flush()
		return false
	}
	be.Send(&pgproto3.AuthenticationOk{})
	be.Send(&pgproto3.BackendKeyData{ProcessID: 1, SecretKey: []byte{0, 0, 0, 1}})
	be.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
	return be.Flush() == nil
}

// answerQueries handles the extended protocol pgx uses for QueryRow (Parse, Describe,
// Bind, Execute, Sync) and the simple protocol of Ping.
func (s *fakeServer) answerQueries(be *pgproto3.Backend) {
	var sql string
	var formats []int16
	for {
		msg, err := be.Receive()
		if err != nil {
			return
		}
		switch m := msg.(type) {
		case *pgproto3.Query: // Ping sends an empty statement
			be.Send(&pgproto3.EmptyQueryResponse{})
			be.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
		case *pgproto3.Parse:
			sql = m.Query
			be.Send(&pgproto3.ParseComplete{})
		case *pgproto3.Describe:
			oid, _ := s.answer(sql)
			if m.ObjectType == 'S' { // a statement has parameters; a portal only rows
				be.Send(&pgproto3.ParameterDescription{})
			}
			be.Send(&pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{{Name: []byte("?column?"), DataTypeOID: oid, DataTypeSize: -1, TypeModifier: -1}}})
		case *pgproto3.Bind:
			formats = m.ResultFormatCodes
			be.Send(&pgproto3.BindComplete{})
		case *pgproto3.Execute:
			_, value := s.answer(sql)
			binaryFormat := len(formats) > 0 && formats[0] == 1
			be.Send(&pgproto3.DataRow{Values: [][]byte{value(binaryFormat)}})
			be.Send(&pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")})
		case *pgproto3.Sync:
			be.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
		case *pgproto3.Terminate:
			return
		default:
			s.t.Errorf("fake server: unexpected message %T", m)
			return
		}
		if be.Flush() != nil {
			return
		}
	}
}

const (
	oidBool = 16
	oidInt4 = 23
)

// answer returns the type and, by format, the value of the one column each check selects.
func (s *fakeServer) answer(sql string) (uint32, func(binary bool) []byte) {
	switch sql {
	case "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'":
		s.mu.Lock()
		inRecovery := s.inRecovery
		s.mu.Unlock()
		return oidBool, func(binaryFormat bool) []byte {
			switch {
			case binaryFormat && inRecovery:
				return []byte{1}
			case binaryFormat:
				return []byte{0}
			case inRecovery:
				return []byte("t")
			default:
				return []byte("f")
			}
		}
	case "SELECT 1":
		return oidInt4, func(binaryFormat bool) []byte {
			if binaryFormat {
				return binary.BigEndian.AppendUint32(nil, 1)
			}
			return []byte("1")
		}
	}
	s.t.Errorf("fake server: unexpected query %q", sql)
	return oidInt4, func(bool) []byte { return nil }
}

// selfSignedCertificate is enough for sslmode=require, which encrypts without
// verifying the server's certificate.
func selfSignedCertificate(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
