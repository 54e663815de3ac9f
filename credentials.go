package rtc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// Credentials are an access key pair and, for temporary (STS) credentials, a
// session token. Formatting a Credentials value with fmt (%v, %+v, %#v, %s)
// shows the access key ID only; the secret and the token are redacted.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// String returns the credentials with the secret parts redacted.
func (c Credentials) String() string {
	tok := ""
	if c.SessionToken != "" {
		tok = " SessionToken:[redacted]"
	}
	sk := "[empty]"
	if c.SecretAccessKey != "" {
		sk = "[redacted]"
	}
	return "{AccessKeyID:" + c.AccessKeyID + " SecretAccessKey:" + sk + tok + "}"
}

// GoString is String, so %#v redacts too.
func (c Credentials) GoString() string { return "rtc.Credentials" + c.String() }

// Format implements fmt.Formatter so that every verb redacts.
func (c Credentials) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(c.GoString()))
		return
	}
	_, _ = f.Write([]byte(c.String()))
}

// LogValue makes log/slog show the redacted form, whatever the handler.
func (c Credentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalJSON encodes the redacted form: credentials never serialise their
// secrets (store them in a secret manager, not through this type's JSON).
func (c Credentials) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// valid reports whether both parts of the key pair are present.
func (c Credentials) valid() bool { return c.AccessKeyID != "" && c.SecretAccessKey != "" }

// CredentialsProvider supplies credentials for each request. Retrieve is
// called once per attempt and must be safe for concurrent use; providers
// that fetch from a remote source should cache.
type CredentialsProvider interface {
	Retrieve(ctx context.Context) (Credentials, error)
}

// CredentialsProviderFunc adapts a function to CredentialsProvider.
type CredentialsProviderFunc func(ctx context.Context) (Credentials, error)

// Retrieve calls f.
func (f CredentialsProviderFunc) Retrieve(ctx context.Context) (Credentials, error) { return f(ctx) }

// ErrNoCredentials is returned (wrapped, with what was looked for) when no
// provider found credentials.
var ErrNoCredentials = errors.New("rtc: no credentials found")

type staticProvider struct{ c Credentials }

func (p staticProvider) Retrieve(context.Context) (Credentials, error) {
	if !p.c.valid() {
		return Credentials{}, fmt.Errorf("%w: static credentials need both AccessKeyID and SecretAccessKey", ErrNoCredentials)
	}
	return p.c, nil
}

// Format prints the provider with its credentials redacted.
func (p staticProvider) Format(f fmt.State, _ rune) {
	_, _ = f.Write([]byte("rtc.StaticCredentials(" + p.c.String() + ")"))
}

// StaticCredentials returns a provider that always returns c.
func StaticCredentials(c Credentials) CredentialsProvider { return staticProvider{c} }

// Environment variable names read by EnvCredentials, in order.
const (
	EnvAccessKey       = "VOLCENGINE_ACCESS_KEY"
	EnvSecretKey       = "VOLCENGINE_SECRET_KEY"
	EnvSessionToken    = "VOLCENGINE_SESSION_TOKEN"
	EnvLegacyAccessKey = "VOLC_ACCESSKEY"
	EnvLegacySecretKey = "VOLC_SECRETKEY"
)

type envProvider struct{ getenv func(string) string }

func (p envProvider) Retrieve(context.Context) (Credentials, error) {
	get := p.getenv
	if get == nil {
		get = os.Getenv
	}
	if ak, sk := get(EnvAccessKey), get(EnvSecretKey); ak != "" || sk != "" {
		if ak == "" || sk == "" {
			return Credentials{}, fmt.Errorf("%w: only one of %s and %s is set; set both", ErrNoCredentials, EnvAccessKey, EnvSecretKey)
		}
		return Credentials{AccessKeyID: ak, SecretAccessKey: sk, SessionToken: get(EnvSessionToken)}, nil
	}
	if ak, sk := get(EnvLegacyAccessKey), get(EnvLegacySecretKey); ak != "" || sk != "" {
		if ak == "" || sk == "" {
			return Credentials{}, fmt.Errorf("%w: only one of %s and %s is set; set both", ErrNoCredentials, EnvLegacyAccessKey, EnvLegacySecretKey)
		}
		return Credentials{AccessKeyID: ak, SecretAccessKey: sk}, nil
	}
	return Credentials{}, fmt.Errorf("%w: neither %s/%s nor %s/%s is set", ErrNoCredentials, EnvAccessKey, EnvSecretKey, EnvLegacyAccessKey, EnvLegacySecretKey)
}

// EnvCredentials returns a provider that reads VOLCENGINE_ACCESS_KEY,
// VOLCENGINE_SECRET_KEY and VOLCENGINE_SESSION_TOKEN, and failing those the
// older VOLC_ACCESSKEY and VOLC_SECRETKEY. It reads the environment at each
// Retrieve.
func EnvCredentials() CredentialsProvider { return envProvider{} }

// EnvCredentialsFrom is EnvCredentials reading variables through getenv
// (for tools and tests that supply their own environment).
func EnvCredentialsFrom(getenv func(string) string) CredentialsProvider {
	return envProvider{getenv: getenv}
}

type fileProvider struct{ path string }

// FileCredentials returns a provider that reads a JSON file of the form
// {"ak": "...", "sk": "..."} (the vendor's older ~/.volc/config format). An
// empty path means ~/.volc/config. The file is read at each Retrieve.
func FileCredentials(path string) CredentialsProvider { return fileProvider{path} }

func defaultConfigPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".volc", "config"), nil
}

func (p fileProvider) Retrieve(context.Context) (Credentials, error) {
	path := p.path
	if path == "" {
		var err error
		if path, err = defaultConfigPath(); err != nil {
			return Credentials{}, fmt.Errorf("%w: cannot locate ~/.volc/config: %v", ErrNoCredentials, err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return Credentials{}, fmt.Errorf("%w: %s does not exist", ErrNoCredentials, path)
		}
		return Credentials{}, fmt.Errorf("%w: read %s: %v", ErrNoCredentials, path, err)
	}
	var f struct {
		AK string `json:"ak"`
		SK string `json:"sk"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		// The JSON error never quotes the file's contents beyond an offset.
		return Credentials{}, fmt.Errorf("%w: %s is not a JSON object with \"ak\" and \"sk\" (offset error: %s)", ErrNoCredentials, path, jsonErrorKind(err))
	}
	if f.AK == "" || f.SK == "" {
		return Credentials{}, fmt.Errorf("%w: %s needs both \"ak\" and \"sk\"", ErrNoCredentials, path)
	}
	return Credentials{AccessKeyID: f.AK, SecretAccessKey: f.SK}, nil
}

// jsonErrorKind describes a JSON decoding error without echoing input.
func jsonErrorKind(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q has the wrong type", te.Field)
	}
	return "invalid JSON"
}

// ChainCredentials returns a provider that tries each provider in order and
// returns the first credentials found. Its error lists what every provider
// looked for.
func ChainCredentials(providers ...CredentialsProvider) CredentialsProvider {
	return chainProvider(providers)
}

type chainProvider []CredentialsProvider

func (c chainProvider) Retrieve(ctx context.Context) (Credentials, error) {
	var msgs []string
	for _, p := range c {
		creds, err := p.Retrieve(ctx)
		if err == nil {
			return creds, nil
		}
		if !errors.Is(err, ErrNoCredentials) {
			return Credentials{}, err
		}
		msgs = append(msgs, strings.TrimPrefix(err.Error(), ErrNoCredentials.Error()+": "))
	}
	return Credentials{}, fmt.Errorf("%w (looked for: %s); set VOLCENGINE_ACCESS_KEY and VOLCENGINE_SECRET_KEY or use rtc.WithCredentials", ErrNoCredentials, strings.Join(msgs, "; "))
}

// DefaultCredentials is the chain used when no credentials are configured:
// EnvCredentials (VOLCENGINE_* then VOLC_*), then FileCredentials of
// ~/.volc/config.
func DefaultCredentials() CredentialsProvider {
	return ChainCredentials(EnvCredentials(), FileCredentials(""))
}
