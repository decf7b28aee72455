// mailauth 4.x ships no types; the one call the tests make.
declare module 'mailauth' {
  export function authenticate(
    message: string | Buffer,
    options: { ip: string; helo: string; sender: string; mta: string; resolver?: (name: string, type: string) => Promise<unknown> },
  ): Promise<{ dkim: { results: { status: { result: string }; signingDomain: string }[] } }>;
}
