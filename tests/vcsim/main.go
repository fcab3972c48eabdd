// vcsim for the tests: VMware's own vim25 simulator (govmomi's simulator
// package, from Debian's golang-github-vmware-govmomi-dev) with its default
// vCenter inventory (simulator.VPX: DC0, cluster DC0_C0, host DC0_H0, VMs
// DC0_H0_VM0/1, DC0_C0_RP0_VM0/1, datastore LocalDS_0).
//
//	vcsim [-l 127.0.0.1:0] [-url-file F] [-username U] [-tls [-cert-file C]] [-datastores N]
//	      [-cut-answer METHOD | -cut-request METHOD] [-world FILE -provider NAME]
//	      [-method-delay M=MS,...]
//
// The password is read from VCSIM_PASSWORD (default "pass") so it is not on
// the command line for everyone to see in ps.  Once listening, the SDK URL
// (http://127.0.0.1:PORT/sdk, no credentials; https:// with -tls) is
// written to F atomically, so a test can wait for the file and learn the
// random port.  With -tls the server speaks HTTPS with a self-signed
// certificate made at start for 127.0.0.1, ::1 and localhost (an ECDSA P-256
// key: the RSA-1024 certificate govmomi's test server would serve is refused
// by OpenSSL's default security level); -cert-file C gets it as PEM before
// the URL file is written, so a client can verify the server with it.
// -datastores N gives the host N local datastores (LocalDS_0 ...), so a
// clone can be placed on another one.  -cut-answer M (-cut-request M) puts
// a front on -l that loses the answer to the first call of method M after
// (instead of) vcsim handling it: see cut.go.  -world FILE -provider NAME
// seeds that mtv-sim world provider's datastores, networks and VMs
// (seed.go) before the URL file is written.  -method-delay holds each call
// of method M for MS milliseconds before vcsim serves it (govmomi's
// DelayConfig), so a test can interrupt a client in the middle of, say,
// CloneVM_Task.  SIGTERM or SIGINT stop the server.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	listen := flag.String("l", "127.0.0.1:0", "address to listen on (port 0: a free one)")
	urlFile := flag.String("url-file", "", "write the SDK URL here once listening")
	user := flag.String("username", "user", "the only user name Login accepts")
	useTLS := flag.Bool("tls", false, "serve HTTPS")
	certFile := flag.String("cert-file", "", "with -tls: write the server's certificate (PEM) here")
	datastores := flag.Int("datastores", 1, "local datastores of the host")
	cutAnswer := flag.String("cut-answer", "", "lose the answer to the first call of this method (done by vcsim)")
	cutRequest := flag.String("cut-request", "", "lose the first call of this method (never reaches vcsim)")
	delays := flag.String("method-delay", "", "METHOD=MS,...: hold each call of METHOD for MS milliseconds")
	flag.Parse()
	cutMethod, cutApply := *cutRequest, false
	if *cutAnswer != "" {
		cutMethod, cutApply = *cutAnswer, true
	}
	if cutMethod != "" && *useTLS {
		fmt.Fprintln(os.Stderr, "vcsim: -cut-answer and -cut-request serve plain http only")
		os.Exit(2)
	}
	pass := os.Getenv("VCSIM_PASSWORD")
	if pass == "" {
		pass = "pass"
	}

	model := simulator.VPX()
	model.Datastore = *datastores
	if *delays != "" {
		model.DelayConfig.MethodDelay = map[string]int{}
		for _, d := range strings.Split(*delays, ",") {
			kv := strings.SplitN(d, "=", 2)
			ms, err := strconv.Atoi(kv[len(kv)-1])
			if len(kv) != 2 || err != nil {
				fmt.Fprintln(os.Stderr, "vcsim: -method-delay: want METHOD=MS, got", d)
				os.Exit(2)
			}
			model.DelayConfig.MethodDelay[kv[0]] = ms
		}
	}
	if err := model.Create(); err != nil {
		fmt.Fprintln(os.Stderr, "vcsim:", err)
		os.Exit(3)
	}
	// A Listen user other than simulator.DefaultLogin makes Login check
	// the name and password (instead of accepting any non-empty pair).
	host := *listen
	if cutMethod != "" {
		host = "127.0.0.1:0" // vcsim behind the cutter, which takes -l
	}
	model.Service.Listen = &url.URL{Host: host, User: url.UserPassword(*user, pass)}
	if *useTLS {
		cert, err := selfSigned()
		if err != nil {
			fmt.Fprintln(os.Stderr, "vcsim:", err)
			os.Exit(3)
		}
		// NewServer starts its TLS listener with this certificate
		// (it fills in its own only when the config has none).
		model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	server := model.Service.NewServer()
	seedDirs, err := seedFromFlags(server.URL) // seed.go: -world FILE -provider NAME
	defer func() {
		for _, d := range seedDirs {
			_ = os.RemoveAll(d)
		}
	}()
	if err != nil {
		fmt.Fprintln(os.Stderr, "vcsim: seed:", err)
		server.Close()
		model.Remove()
		for _, d := range seedDirs {
			_ = os.RemoveAll(d)
		}
		os.Exit(3)
	}
	if *useTLS && *certFile != "" {
		// before the URL file: once a test sees the URL, the CA is there
		block := &pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw}
		if err := writeAtomic(*certFile, pem.EncodeToMemory(block)); err != nil {
			fmt.Fprintln(os.Stderr, "vcsim:", err)
			os.Exit(3)
		}
	}

	u := *server.URL
	u.User = nil
	if cutMethod != "" {
		front, err := serveCut(*listen, &u, cutMethod, cutApply)
		if err != nil {
			fmt.Fprintln(os.Stderr, "vcsim:", err)
			os.Exit(3)
		}
		u = *front
	}
	if *urlFile != "" {
		if err := writeAtomic(*urlFile, []byte(u.String()+"\n")); err != nil {
			fmt.Fprintln(os.Stderr, "vcsim:", err)
			os.Exit(3)
		}
	} else {
		fmt.Println(u.String())
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	server.Close()
	model.Remove()
}

// writeAtomic writes data to a temporary file and renames it to name, so a
// reader never sees it half written.
func writeAtomic(name string, data []byte) error {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}

// selfSigned makes a certificate that is its own CA, for the loopback
// addresses, valid from an hour ago for a week.
func selfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "vcsim", Organization: []string{"mtv-steps tests"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
