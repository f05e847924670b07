package deploy

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/francebadge/blason/internal/config"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/cors"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// MetaSHA256 is the user metadata (x-amz-meta-blason-sha256) Blason puts
// on every object it uploads: the sha256 of its bytes. It tells Blason's
// objects from foreign ones even when the state file is lost.
const MetaSHA256 = "Blason-Sha256"

// store is the bucket and prefix deployed to.
type store struct {
	c      *minio.Client
	bucket string
	prefix string // "" or "folder/…" without a trailing slash
}

// credentialsFrom reads the credentials from the standard AWS variables
// only: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, or
// else the profile AWS_PROFILE (default "default") of the shared
// credentials file (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials).
func credentialsFrom(getenv func(string) string) (*credentials.Credentials, error) {
	id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if id != "" || secret != "" {
		if id == "" || secret == "" {
			return nil, errors.New("only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set: set both (the access key id and its secret)")
		}
		return credentials.NewStaticV4(id, secret, getenv("AWS_SESSION_TOKEN")), nil
	}
	profile := getenv("AWS_PROFILE")
	if profile == "" {
		profile = "default"
	}
	file := getenv("AWS_SHARED_CREDENTIALS_FILE")
	if file == "" {
		if home := getenv("HOME"); home != "" {
			file = filepath.Join(home, ".aws", "credentials")
		}
	}
	c := credentials.New(&credentials.FileAWSCredentials{Filename: file, Profile: profile})
	v, err := c.Get()
	if err != nil || v.AccessKeyID == "" {
		return nil, fmt.Errorf("no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones), or AWS_PROFILE naming a profile of %s", file)
	}
	return c, nil
}

func newStore(c config.Deploy, getenv func(string) string) (*store, error) {
	creds, err := credentialsFrom(getenv)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(c.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("deploy.endpoint: %v", err)
	}
	lookup := minio.BucketLookupAuto
	switch c.Addressing {
	case "path":
		lookup = minio.BucketLookupPath
	case "virtual":
		lookup = minio.BucketLookupDNS
	}
	cl, err := minio.New(u.Host, &minio.Options{Creds: creds, Secure: u.Scheme == "https", Region: c.Region, BucketLookup: lookup})
	if err != nil {
		return nil, fmt.Errorf("deploy.endpoint %s: %v", u.Host, err)
	}
	cl.SetAppInfo("blason", "deploy")
	return &store{c: cl, bucket: c.Bucket, prefix: strings.Trim(c.Prefix, "/")}, nil
}

// key is the object key of a site path.
func (s *store) key(p string) string {
	if s.prefix == "" {
		return p
	}
	return s.prefix + "/" + p
}

// check says plainly when the bucket cannot be reached or does not exist.
func (s *store) check(ctx context.Context) error {
	ok, err := s.c.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("bucket %s at %s: %v (check deploy.endpoint, deploy.region and the credentials)", s.bucket, s.c.EndpointURL().Host, err)
	}
	if !ok {
		return fmt.Errorf("bucket %s does not exist at %s: create it with your provider's console or CLI (Blason never creates buckets)", s.bucket, s.c.EndpointURL().Host)
	}
	return nil
}

// put uploads one file of the site in dir with its headers and checksum.
func (s *store) put(ctx context.Context, dir string, f *file) error {
	_, err := s.c.FPutObject(ctx, s.bucket, s.key(f.path), filepath.Join(dir, filepath.FromSlash(f.path)), minio.PutObjectOptions{
		ContentType:  f.headers.ContentType,
		CacheControl: f.headers.CacheControl,
		UserMetadata: map[string]string{MetaSHA256: f.sha},
	})
	if err != nil {
		return fmt.Errorf("uploading %s: %v", f.path, err)
	}
	return nil
}

func (s *store) remove(ctx context.Context, p string) error {
	if err := s.c.RemoveObject(ctx, s.bucket, s.key(p), minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("removing %s: %v", p, err)
	}
	return nil
}

// CORSRules are the bucket's CORS rules with deploy.cors: GET and HEAD
// from any origin, as _headers gives the JSON documents.
func CORSRules() *cors.Config {
	return cors.NewConfig([]cors.Rule{{
		AllowedOrigin: []string{"*"},
		AllowedMethod: []string{"GET", "HEAD"},
		AllowedHeader: []string{"*"},
		MaxAgeSeconds: 86400,
	}})
}

func (s *store) setCORS(ctx context.Context) error {
	if err := s.c.SetBucketCors(ctx, s.bucket, CORSRules()); err != nil {
		return fmt.Errorf("setting the CORS rules of bucket %s: %v (set deploy.cors: false and set them with your provider's console, see docs/deploy.md)", s.bucket, err)
	}
	return nil
}

// object is what --verify learns of one object.
type object struct {
	key          string
	path         string // site path ("" outside the prefix)
	sha          string // x-amz-meta-blason-sha256, "" when foreign
	contentType  string
	cacheControl string
}

// list lists the objects of the prefix.
func (s *store) list(ctx context.Context) ([]object, error) {
	prefix := ""
	if s.prefix != "" {
		prefix = s.prefix + "/"
	}
	var out []object
	for o := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			return nil, fmt.Errorf("listing bucket %s: %v", s.bucket, o.Err)
		}
		out = append(out, object{key: o.Key, path: strings.TrimPrefix(o.Key, prefix)})
	}
	return out, nil
}

// stat reads an object's checksum and headers.
func (s *store) stat(ctx context.Context, o *object) error {
	info, err := s.c.StatObject(ctx, s.bucket, o.key, minio.StatObjectOptions{})
	if err != nil {
		return fmt.Errorf("reading %s: %v", o.key, err)
	}
	o.sha = info.UserMetadata[MetaSHA256]
	o.contentType = info.ContentType
	o.cacheControl = info.Metadata.Get("Cache-Control")
	return nil
}
