export function NotFound() {
  return (
    <section class="page">
      <h1>Not found</h1>
      <div class="state empty">
        <strong>No page here.</strong>
        <p class="muted">
          Back to the <a href="/">dashboard</a>.
        </p>
      </div>
    </section>
  );
}
