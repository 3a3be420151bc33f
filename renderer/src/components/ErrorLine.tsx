export function ErrorLine({
  error,
  testId = 'error',
}: {
  error: { code: string | null; message: string } | null;
  testId?: string;
}) {
  if (!error) return null;
  return (
    <div className="error-line" role="alert" data-testid={testId} data-code={error.code ?? ''}>
      {error.message}
    </div>
  );
}
