// The encoded OpenAPI documents the gateway serves, built once on first use and kept: they are
// derived from the fixed catalogue, so their number and size are bounded and they never change.
// ETags are kube-openapi's computeETag: uppercase hex sha512 of the served JSON bytes, which are
// written as Go's json.Marshal writes them (HTML characters escaped).

import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { openAPIv3Documents, servedOpenAPIv2, type Catalogue } from '@kapi/schema';
import { goJSON } from './encode.js';
import { encodeOpenAPIv2Protobuf } from './openapi-v2-proto.js';

const gzip = promisify(gzipCallback);

/** One encoded document (kube-openapi's timedSpec plus its ETag). */
export interface EncodedSpec {
  body: Buffer;
  etag: string;
  lastModified: Date;
}

/** kube-openapi computeETag. */
export function computeETag(data: Uint8Array): string {
  return createHash('sha512').update(data).digest('hex').toUpperCase();
}

function encoded(body: Buffer, lastModified: Date, etag = computeETag(body)): EncodedSpec {
  return { body, etag, lastModified };
}

/** handler3.constructServerRelativeURL: "/openapi/v3/<gv>?hash=<etag>". */
export function serverRelativeURL(gv: string, etag: string): string {
  const path = ('/openapi/v3/' + gv).replace(/\/+$/, '');
  return `${encodeURI(path)}?hash=${encodeURIComponent(etag)}`;
}

export class OpenAPICache {
  private v2Json: EncodedSpec | undefined;
  private v2Gzip: Promise<Buffer> | undefined;
  private v2Proto: EncodedSpec | undefined;
  private v3: { index: EncodedSpec; docs: Map<string, EncodedSpec> } | undefined;

  /** `infoVersion` is info.version of every document (kube: the server's git version up to "-"). */
  constructor(
    private readonly catalogue: Catalogue,
    private readonly infoVersion: string,
  ) {}

  /** /openapi/v2 as JSON. */
  v2(): EncodedSpec {
    this.v2Json ??= encoded(Buffer.from(goJSON(servedOpenAPIv2(this.catalogue, this.infoVersion))), new Date());
    return this.v2Json;
  }

  /** The gzip of /openapi/v2's JSON (gziphandler, default compression), computed once. */
  v2Gzipped(): Promise<Buffer> {
    this.v2Gzip ??= gzip(this.v2().body, { level: 6 });
    return this.v2Gzip;
  }

  /** /openapi/v2 as the gnostic openapi_v2.Document message; same ETag as the JSON (kube's
   * protoCache keeps the JSON's). */
  v2Protobuf(): EncodedSpec {
    if (!this.v2Proto) {
      const json = this.v2();
      this.v2Proto = encoded(encodeOpenAPIv2Protobuf(JSON.parse(json.body.toString('utf8')) as Record<string, unknown>), json.lastModified, json.etag);
    }
    return this.v2Proto;
  }

  private buildV3(): { index: EncodedSpec; docs: Map<string, EncodedSpec> } {
    if (!this.v3) {
      const now = new Date();
      const docs = new Map<string, EncodedSpec>();
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const [key, doc] of openAPIv3Documents(this.catalogue, this.infoVersion)) {
        const spec = encoded(Buffer.from(goJSON(doc)), now);
        docs.set(key, spec);
        paths[key] = { serverRelativeURL: serverRelativeURL(key, spec.etag) };
      }
      this.v3 = { index: encoded(Buffer.from(goJSON({ paths })), now), docs };
    }
    return this.v3;
  }

  /** /openapi/v3: {"paths":{"<gv>":{"serverRelativeURL":...}}}, keys sorted. */
  v3Index(): EncodedSpec {
    return this.buildV3().index;
  }

  /** /openapi/v3/<gv>, or undefined for a path nothing is served at. */
  v3Document(gv: string): EncodedSpec | undefined {
    return this.buildV3().docs.get(gv);
  }
}
