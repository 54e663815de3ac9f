package main

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/volcrtc/rtc"
)

// credentials resolves the credentials the way the SDK's default chain does
// (rtc.DefaultCredentials: environment, then ~/.volc/config), with the
// --access-key and --secret-key flags first. The environment is read
// through a.env, so tests and callers control it. It returns where the
// credentials came from (never the secret).
func (a *app) credentials(ctx context.Context) (rtc.Credentials, string, error) {
	g := &a.g
	sk, err := a.flagSecretKey()
	if err != nil {
		return rtc.Credentials{}, "", err
	}
	if g.accessKey != "" || sk != "" {
		switch {
		case g.accessKey == "":
			return rtc.Credentials{}, "", usageErr("--secret-key (or --secret-key-file) is set but --access-key is not; give both, or neither to use the environment")
		case sk == "":
			return rtc.Credentials{}, "", usageErr("--access-key is set but --secret-key is not; give both (--secret-key-file FILE keeps the secret out of the process list), or set VOLCENGINE_ACCESS_KEY and VOLCENGINE_SECRET_KEY and drop --access-key")
		}
		return rtc.Credentials{AccessKeyID: g.accessKey, SecretAccessKey: sk}, "the --access-key and --secret-key flags", nil
	}
	var looked []string
	for _, pair := range [][3]string{
		{rtc.EnvAccessKey, rtc.EnvSecretKey, rtc.EnvSessionToken},
		{rtc.EnvLegacyAccessKey, rtc.EnvLegacySecretKey, ""},
	} {
		ak, sk := a.env(pair[0]), a.env(pair[1])
		a.remember(sk)
		if pair[2] != "" {
			a.remember(a.env(pair[2]))
		}
		switch {
		case ak != "" && sk != "":
			c := rtc.Credentials{AccessKeyID: ak, SecretAccessKey: sk}
			if pair[2] != "" {
				c.SessionToken = a.env(pair[2])
			}
			return c, "the environment (" + pair[0] + ")", nil
		case ak != "":
			return rtc.Credentials{}, "", usageErr("%s is set but %s is not; set both, or neither", pair[0], pair[1])
		case sk != "":
			return rtc.Credentials{}, "", usageErr("%s is set but %s is not; set both, or neither", pair[1], pair[0])
		}
		looked = append(looked, pair[0]+"/"+pair[1])
	}
	if home := a.env("HOME"); home != "" {
		path := filepath.Join(home, ".volc", "config")
		c, err := rtc.FileCredentials(path).Retrieve(ctx)
		if err == nil {
			return c, path, nil
		}
		if !errors.Is(err, rtc.ErrNoCredentials) {
			return rtc.Credentials{}, "", usageErr("%v", err)
		}
		looked = append(looked, strings.TrimPrefix(err.Error(), rtc.ErrNoCredentials.Error()+": "))
	} else {
		looked = append(looked, "~/.volc/config (HOME is not set)")
	}
	return rtc.Credentials{}, "", usageErr("no credentials found (looked for --access-key/--secret-key, %s).\n"+
		"Set VOLCENGINE_ACCESS_KEY and VOLCENGINE_SECRET_KEY, or pass --access-key and --secret-key.\n"+
		"To try rtcctl without an account, run \"rtcctl fake\" and follow what it prints.", strings.Join(looked, ", "))
}

// client builds an SDK client from the global settings.
func (a *app) client(ctx context.Context) (*rtc.Client, error) {
	creds, source, err := a.credentials(ctx)
	if err != nil {
		return nil, err
	}
	g := &a.g
	opts := []rtc.Option{rtc.WithCredentials(creds), rtc.WithUserAgent("rtcctl/" + rtc.Version)}
	region := g.region
	if region == "" {
		region = a.env("RTC_REGION")
	}
	if region != "" {
		opts = append(opts, rtc.WithRegion(region))
	}
	endpoint := g.endpoint
	if endpoint == "" {
		endpoint = a.env("RTC_ENDPOINT")
	}
	if endpoint != "" {
		opts = append(opts, rtc.WithEndpoint(endpoint))
	}
	if g.insecure {
		opts = append(opts, rtc.WithInsecureHTTP())
	}
	var logger *slog.Logger
	if g.verbose {
		logger = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		opts = append(opts, rtc.WithLogger(logger))
	}
	c, err := rtc.New(opts...)
	if err != nil {
		return nil, usageErr("%s\nCheck --region, --endpoint (or RTC_REGION, RTC_ENDPOINT).", strings.TrimPrefix(err.Error(), "rtc: "))
	}
	if logger != nil {
		logger.Debug("rtcctl client", "endpoint", c.Endpoint(), "region", c.Region(), "credentials", source)
	}
	return c, nil
}

// flagSecretKey returns the secret key given by --secret-key or
// --secret-key-file, or "" when neither was given.
func (a *app) flagSecretKey() (string, error) {
	g := &a.g
	if g.secretKey == "" && g.skFile == "" {
		return "", nil
	}
	return a.secret(secretSource{flag: "--secret-key", flagVal: g.secretKey, file: "--secret-key-file", fileVal: g.skFile, env: rtc.EnvSecretKey})
}
