import { Navigate, Route, Routes, useLocation } from "react-router";
import { useAuth } from "./auth/AuthContext";
import { Layout, PageHeader } from "./components/Layout";
import { EmptyState, Loading } from "./components/States";
import { ChangePasswordPage } from "./pages/ChangePasswordPage";
import { SignInPage } from "./pages/SignInPage";
import { homePath, routes } from "./routes";

export function App() {
  const { session, can } = useAuth();
  const location = useLocation();

  if (session === undefined) return <Loading what="your session" />;

  if (session === null) {
    return (
      <Routes>
        <Route path="/sign-in" element={<SignInPage />} />
        <Route path="*" element={<Navigate to={`/sign-in?returnUrl=${encodeURIComponent(location.pathname + location.search)}`} replace />} />
      </Routes>
    );
  }

  if (session.mustChangePassword) return <ChangePasswordPage />;

  return (
    <Layout>
      <Routes>
        <Route path="/" element={<Navigate to={homePath} replace />} />
        <Route path="/sign-in" element={<Navigate to={homePath} replace />} />
        {routes.map((route) => (
          <Route
            key={route.path}
            path={route.path}
            element={can(route.permission) ? route.element : <Forbidden />}
          />
        ))}
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Layout>
  );
}

function NotFound() {
  return (
    <>
      <PageHeader title="Page not found" />
      <EmptyState title="There is no such page.">
        <a href={homePath}>Go to the modules</a>
      </EmptyState>
    </>
  );
}

function Forbidden() {
  return (
    <>
      <PageHeader title="Not for your role" />
      <EmptyState title="Your role may not open this page." />
    </>
  );
}
