/** Sending domains as the admin API answers them (routes/domain-routes.ts). */
export interface DnsRecord {
  record: 'dkim' | 'spf' | 'returnPath';
  type: 'TXT' | 'CNAME';
  name: string;
  value: string;
}

export interface SendingDomain {
  id: string;
  domain: string;
  selector: string;
  status: 'pending' | 'verified';
  records: DnsRecord[];
  checks: { record: DnsRecord['record']; ok: boolean; found: string[] }[];
  checkedAt: string | null;
  verifiedAt: string | null;
  createdAt: string;
}

export interface EmailSettings {
  sendsPerMinute: number;
  defaultFrom: string | null;
}
