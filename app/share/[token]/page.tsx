import { SharedRunView } from "~/components/run/shared-run-view";

export const metadata = { title: "Shared run · Millrace", robots: { index: false } };

/** A run shared by link: open without signing in; what it shows is decided on the server. */
export default async function SharedRunPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <SharedRunView token={token} />;
}
