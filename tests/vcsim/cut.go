// The answer cutter: a front for vcsim that loses the answer to one call,
// the way a dropped connection or a restarted proxy does, so tests can see
// what a client does when it cannot know whether vCenter acted.
package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
)

// cutter forwards every request to back, but the first one calling method
// gets a truncated answer (a 200 whose body stops after a few bytes, then
// the connection closes): the client sees a broken transfer, not a refusal.
// With apply the call reaches vcsim first (it acted, the answer was lost);
// without, it never does (nothing happened, as far as anyone can tell).
type cutter struct {
	method string
	apply  bool
	back   *url.URL
	proxy  *httputil.ReverseProxy
	done   int32
}

func newCutter(back *url.URL, method string, apply bool) *cutter {
	b := &url.URL{Scheme: back.Scheme, Host: back.Host}
	return &cutter{method: method, apply: apply, back: b, proxy: httputil.NewSingleHostReverseProxy(b)}
}

func (c *cutter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !bytes.Contains(body, []byte("<"+c.method+">")) || !atomic.CompareAndSwapInt32(&c.done, 0, 1) {
		c.proxy.ServeHTTP(w, r)
		return
	}
	if c.apply {
		// vcsim runs a task to its end before it answers the call
		req, err := http.NewRequest(r.Method, c.back.String()+r.URL.RequestURI(), bytes.NewReader(body))
		if err == nil {
			req.Header = r.Header.Clone()
			if resp, err := http.DefaultClient.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
	}
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n" +
		"Content-Length: 4096\r\n\r\n<?xml version=")
	_ = buf.Flush()
	_ = conn.Close()
}

// serveCut listens on addr with a cutter in front of back; it returns the
// URL the front answers on.
func serveCut(addr string, back *url.URL, method string, apply bool) (*url.URL, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	c := newCutter(back, method, apply) // copies back: the caller may reuse it
	go func() { _ = http.Serve(l, c) }()
	return &url.URL{Scheme: "http", Host: l.Addr().String(), Path: back.Path}, nil
}
