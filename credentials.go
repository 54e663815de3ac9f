package rtc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
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
		if err := checkEnvPair(EnvAccessKey, ak, EnvSecretKey, sk); err != nil {
			return Credentials{}, err
		}
		return Credentials{AccessKeyID: ak, SecretAccessKey: sk, SessionToken: get(EnvSessionToken)}, nil
	}
	if ak, sk := get(EnvLegacyAccessKey), get(EnvLegacySecretKey); ak != "" || sk != "" {
		if err := checkEnvPair(EnvLegacyAccessKey, ak, EnvLegacySecretKey, sk); err != nil {
			return Credentials{}, err
		}
		return Credentials{AccessKeyID: ak, SecretAccessKey: sk}, nil
	}
	if get(EnvSessionToken) != "" {
		return Credentials{}, fmt.Errorf("%w: %s is set but %s is not, nor %s; set all three, or unset it",
			ErrIncompleteCredentials, EnvSessionToken, EnvAccessKey, EnvSecretKey)
	}
	return Credentials{}, fmt.Errorf("%w: neither %s/%s nor %s/%s is set", ErrNoCredentials, EnvAccessKey, EnvSecretKey, EnvLegacyAccessKey, EnvLegacySecretKey)
}

// checkEnvPair reports half a key pair as an error naming the missing
// variable. It is not ErrNoCredentials: a chain stops there rather than
// fall through to a configuration file that may hold another account.
func checkEnvPair(akName, ak, skName, sk string) error {
	switch {
	case ak == "":
		return fmt.Errorf("%w: %s is set but %s is not; set both, or neither", ErrIncompleteCredentials, skName, akName)
	case sk == "":
		return fmt.Errorf("%w: %s is set but %s is not; set both, or neither", ErrIncompleteCredentials, akName, skName)
	}
	return nil
}

// ErrIncompleteCredentials is returned (wrapped, naming what is missing)
// when the environment holds only part of a key pair. Unlike
// ErrNoCredentials it ends a ChainCredentials search: the next provider
// might hold credentials of another account.
var ErrIncompleteCredentials = errors.New("rtc: incomplete credentials in the environment")

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

// MaxConfigFileSize is the largest credentials file FileCredentials reads.
const MaxConfigFileSize = 64 << 10

type fileProvider struct {
	path string
	warn func(path string, mode fs.FileMode) // nil: warnLooseConfig
}

// FileCredentials returns a provider that reads a JSON file of the form
// {"ak": "...", "sk": "..."} (the vendor's older ~/.volc/config format). An
// empty path means ~/.volc/config. The file is read at each Retrieve. It must
// be a regular file of at most MaxConfigFileSize bytes: anything else (a
// FIFO, a device such as /dev/zero, a directory) is refused without waiting
// on it. A file that the group or others can read is used, with a warning
// through slog.Default (once per path and process): chmod 600 it.
func FileCredentials(path string) CredentialsProvider { return fileProvider{path: path} }

func defaultConfigPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".volc", "config"), nil
}

// warnedConfigs remembers the paths already warned about.
var warnedConfigs sync.Map

func warnLooseConfig(path string, mode fs.FileMode) {
	if _, dup := warnedConfigs.LoadOrStore(path, true); dup {
		return
	}
	slog.Default().Warn("rtc: the credentials file can be read by other users; restrict it with chmod 600",
		slog.String("path", path), slog.String("mode", mode.Perm().String()))
}

func (p fileProvider) Retrieve(ctx context.Context) (Credentials, error) {
	if err := ctx.Err(); err != nil {
		return Credentials{}, err
	}
	path := p.path
	if path == "" {
		var err error
		if path, err = defaultConfigPath(); err != nil {
			return Credentials{}, fmt.Errorf("%w: cannot locate ~/.volc/config: %v", ErrNoCredentials, err)
		}
	}
	b, err := readConfigFile(path, p.warn)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return Credentials{}, fmt.Errorf("%w: %s does not exist", ErrNoCredentials, path)
		}
		return Credentials{}, fmt.Errorf("%w: read %s: %v", ErrNoCredentials, path, err)
	}
	if err := ctx.Err(); err != nil {
		return Credentials{}, err
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

// readConfigFile reads a small regular file. It opens without blocking (a
// FIFO would otherwise wait for a writer), refuses anything but a regular
// file, and never reads more than MaxConfigFileSize bytes.
func readConfigFile(path string, warn func(string, fs.FileMode)) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openNonBlock, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", st.Mode().Type())
	}
	if st.Size() > MaxConfigFileSize {
		return nil, fmt.Errorf("the file is %d bytes, more than the %d a credentials file may have", st.Size(), MaxConfigFileSize)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		if warn == nil {
			warn = warnLooseConfig
		}
		warn(path, st.Mode())
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxConfigFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxConfigFileSize {
		return nil, fmt.Errorf("the file grew past the %d bytes a credentials file may have", MaxConfigFileSize)
	}
	return b, nil
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
