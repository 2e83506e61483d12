import Link from "next/link";

/** A page, or the pipeline, run or dataset it shows, that does not exist or is in a workspace the visitor is not in (404). */
export default function NotFound() {
  return (
    <div className="mx-auto mt-16 max-w-md rounded border border-slate-200 bg-white p-6 text-sm">
      <h1 className="mb-2 text-lg font-semibold">Not found</h1>
      <p className="text-slate-600">There is nothing here, or it belongs to a workspace you are not a member of. If someone sent you this link, ask them to invite you.</p>
      <Link href="/" className="mt-4 inline-block text-sky-700 hover:underline">
        Back to Millrace
      </Link>
    </div>
  );
}
