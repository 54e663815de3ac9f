package rtc

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Regions. A region is the signing scope's region and, unless an endpoint is
// given, picks the host.
const (
	// RegionCNNorth1 is mainland China, host rtc.volcengineapi.com: the default.
	RegionCNNorth1 = "cn-north-1"
	// RegionAPSoutheast1 is Asia-Pacific (Johor), host
	// open-ap-singapore-1.volcengineapi.com.
	RegionAPSoutheast1 = "ap-southeast-1"
	// RegionAPSingapore1 is the name the vendor's older SDK signs the
	// Asia-Pacific host with. WithRegion accepts it as an alias of
	// RegionAPSoutheast1's host and signs with "ap-singapore-1". It is also the
	// region of the BytePlus endpoint (see WithBytePlus).
	RegionAPSingapore1 = "ap-singapore-1"
)

// Endpoints for the presets.
const (
	EndpointCNNorth1     = "https://rtc.volcengineapi.com"
	EndpointAPSoutheast1 = "https://open-ap-singapore-1.volcengineapi.com"
	// EndpointBytePlus is the same API sold internationally as BytePlus RTC;
	// WithBytePlus selects it together with its region.
	EndpointBytePlus = "https://open.byteplusapi.com"
)

var regionHosts = map[string]string{
	RegionCNNorth1:     "rtc.volcengineapi.com",
	RegionAPSoutheast1: "open-ap-singapore-1.volcengineapi.com",
	RegionAPSingapore1: "open-ap-singapore-1.volcengineapi.com",
}

// Regions returns the regions the client knows a host for.
func Regions() []string {
	return []string{RegionCNNorth1, RegionAPSoutheast1, RegionAPSingapore1}
}

// endpoint is a resolved scheme and host.
type endpoint struct {
	scheme string
	host   string // host[:port] as sent
}

// parseEndpoint checks a user-given endpoint URL. allowInsecure permits
// plain http to a host that is not loopback.
func parseEndpoint(raw string, allowInsecure bool) (endpoint, error) {
	if raw == "" {
		return endpoint{}, errors.New("rtc: WithEndpoint: empty URL; give scheme and host, e.g. https://rtc.volcengineapi.com")
	}
	if !strings.Contains(raw, "://") {
		return endpoint{}, fmt.Errorf("rtc: WithEndpoint(%q): missing scheme; use https://%s (or http:// for a local fake server)", raw, raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return endpoint{}, fmt.Errorf("rtc: WithEndpoint: not a valid URL: %v", err)
	}
	if u.User != nil {
		return endpoint{}, errors.New("rtc: WithEndpoint: the URL must not carry user information; use WithCredentials")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return endpoint{}, fmt.Errorf("rtc: WithEndpoint(%q): scheme must be https or http", raw)
	}
	if u.Host == "" || u.Hostname() == "" {
		return endpoint{}, fmt.Errorf("rtc: WithEndpoint(%q): no host", raw)
	}
	if u.Path != "" && u.Path != "/" {
		return endpoint{}, fmt.Errorf("rtc: WithEndpoint(%q): the API lives at the path /; remove %q", raw, u.Path)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return endpoint{}, fmt.Errorf("rtc: WithEndpoint(%q): remove the query or fragment", raw)
	}
	if u.Scheme == "http" && !allowInsecure && !isLoopback(u.Hostname()) {
		return endpoint{}, fmt.Errorf("rtc: WithEndpoint(%q): plain http to a non-loopback host would send signed requests unencrypted; use https, or add rtc.WithInsecureHTTP() if you really mean it", raw)
	}
	return endpoint{scheme: u.Scheme, host: u.Host}, nil
}

// isLoopback reports whether host is "localhost" or a literal loopback
// address (127.0.0.0/8, ::1). Other names, "*.localhost" included, resolve
// through DNS or a proxy and may lead anywhere: they do not count.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	return ip != nil && ip.IsLoopback()
}

// proxyUnlessLoopback is the default transport's proxy rule: the
// environment's (HTTP_PROXY, HTTPS_PROXY, NO_PROXY), except that a loopback
// endpoint (see isLoopback) is always reached directly, so that a signed
// request sent over plain http never passes through a proxy.
func proxyUnlessLoopback(req *http.Request) (*url.URL, error) {
	if isLoopback(req.URL.Hostname()) {
		return nil, nil
	}
	return http.ProxyFromEnvironment(req)
}

// resolveEndpoint picks the endpoint for a client's settings.
func resolveEndpoint(region, rawEndpoint string, allowInsecure bool) (endpoint, error) {
	if rawEndpoint != "" {
		return parseEndpoint(rawEndpoint, allowInsecure)
	}
	host, ok := regionHosts[region]
	if !ok {
		return endpoint{}, fmt.Errorf("rtc: unknown region %q with no endpoint; use one of %s, or give the host with rtc.WithEndpoint", region, strings.Join(Regions(), ", "))
	}
	return endpoint{scheme: "https", host: host}, nil
}
