// vcsim for the tests: VMware's own vim25 simulator (govmomi's simulator
// package, from Debian's golang-github-vmware-govmomi-dev) with its default
// vCenter inventory (simulator.VPX: DC0, cluster DC0_C0, host DC0_H0, VMs
// DC0_H0_VM0/1, DC0_C0_RP0_VM0/1, datastore LocalDS_0).
//
//	vcsim [-l 127.0.0.1:0] [-url-file F] [-username U] [-world FILE -provider NAME]
//
// The password is read from VCSIM_PASSWORD (default "pass") so it is not on
// the command line for everyone to see in ps.  Once listening, the SDK URL
// (http://127.0.0.1:PORT/sdk, no credentials) is written to F atomically, so
// a test can wait for the file and learn the random port.  SIGTERM or SIGINT
// stop the server.
package main

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	listen := flag.String("l", "127.0.0.1:0", "address to listen on (port 0: a free one)")
	urlFile := flag.String("url-file", "", "write the SDK URL here once listening")
	user := flag.String("username", "user", "the only user name Login accepts")
	flag.Parse()
	pass := os.Getenv("VCSIM_PASSWORD")
	if pass == "" {
		pass = "pass"
	}

	model := simulator.VPX()
	if err := model.Create(); err != nil {
		fmt.Fprintln(os.Stderr, "vcsim:", err)
		os.Exit(3)
	}
	// A Listen user other than simulator.DefaultLogin makes Login check
	// the name and password (instead of accepting any non-empty pair).
	model.Service.Listen = &url.URL{Host: *listen, User: url.UserPassword(*user, pass)}
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

	u := *server.URL
	u.User = nil
	if *urlFile != "" {
		tmp := *urlFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(u.String()+"\n"), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "vcsim:", err)
			os.Exit(3)
		}
		if err := os.Rename(tmp, *urlFile); err != nil {
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
