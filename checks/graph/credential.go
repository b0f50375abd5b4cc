package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	azcore "github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// CredentialOptions says how to obtain Graph tokens with azidentity.
type CredentialOptions struct {
	// Authority is the Entra ID sign-in root, e.g.
	// https://login.microsoftonline.us (a path such as /organizations is
	// ignored; the tenant comes from TenantID). Default: the global cloud.
	Authority string
	TenantID  string
	ClientID  string
	// ClientSecret or CertificatePath (PEM or PKCS#12, with
	// CertificatePassword) selects app-only sign-in.
	ClientSecret        string
	CertificatePath     string
	CertificatePassword string
	// DeviceCode selects delegated sign-in with a device code; the prompt
	// goes to Prompt.
	DeviceCode bool
	Prompt     io.Writer
}

// EnvCredentialOptions fills CredentialOptions from the standard Azure
// variables (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET,
// AZURE_CLIENT_CERTIFICATE_PATH, AZURE_CLIENT_CERTIFICATE_PASSWORD), read
// through getenv.
func EnvCredentialOptions(getenv func(string) string) CredentialOptions {
	return CredentialOptions{
		TenantID:            getenv("AZURE_TENANT_ID"),
		ClientID:            getenv("AZURE_CLIENT_ID"),
		ClientSecret:        getenv("AZURE_CLIENT_SECRET"),
		CertificatePath:     getenv("AZURE_CLIENT_CERTIFICATE_PATH"),
		CertificatePassword: getenv("AZURE_CLIENT_CERTIFICATE_PASSWORD"),
	}
}

// ErrNoCredentials: the options name no way to sign in.
var ErrNoCredentials = errors.New("no Graph credentials: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH), use device-code sign-in, or give a bearer token")

// NewCredential returns an azidentity credential for o.
func NewCredential(o CredentialOptions) (azcore.TokenCredential, error) {
	copts := policy.ClientOptions{}
	if o.Authority != "" {
		u, err := url.Parse(o.Authority)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, fmt.Errorf("parse authority %q: want an https URL", o.Authority)
		}
		copts.Cloud = cloud.Configuration{ActiveDirectoryAuthorityHost: "https://" + u.Host + "/"}
		if o.TenantID == "" {
			o.TenantID = strings.Trim(u.Path, "/")
		}
	}
	switch {
	case o.DeviceCode:
		prompt := o.Prompt
		if prompt == nil {
			prompt = os.Stderr
		}
		cred, err := azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
			ClientOptions: copts,
			TenantID:      o.TenantID,
			ClientID:      o.ClientID,
			UserPrompt: func(_ context.Context, m azidentity.DeviceCodeMessage) error {
				_, err := fmt.Fprintln(prompt, m.Message)
				return err
			},
		})
		if err != nil {
			return nil, fmt.Errorf("create device code credential: %w", err)
		}
		return cred, nil
	case o.ClientID == "" || o.TenantID == "":
		return nil, ErrNoCredentials
	case o.ClientSecret != "":
		cred, err := azidentity.NewClientSecretCredential(o.TenantID, o.ClientID, o.ClientSecret, &azidentity.ClientSecretCredentialOptions{ClientOptions: copts})
		if err != nil {
			return nil, fmt.Errorf("create client secret credential: %w", err)
		}
		return cred, nil
	case o.CertificatePath != "":
		data, err := os.ReadFile(o.CertificatePath)
		if err != nil {
			return nil, fmt.Errorf("read client certificate: %w", err)
		}
		var pw []byte
		if o.CertificatePassword != "" {
			pw = []byte(o.CertificatePassword)
		}
		certs, key, err := azidentity.ParseCertificates(data, pw)
		if err != nil {
			return nil, fmt.Errorf("parse client certificate: %w", err)
		}
		cred, err := azidentity.NewClientCertificateCredential(o.TenantID, o.ClientID, certs, key, &azidentity.ClientCertificateCredentialOptions{ClientOptions: copts})
		if err != nil {
			return nil, fmt.Errorf("create client certificate credential: %w", err)
		}
		return cred, nil
	}
	return nil, ErrNoCredentials
}
