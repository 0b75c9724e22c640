import type { ReactNode } from 'react';
import { Card, CardContent, Typography } from '@mui/material';

/**
 * A card below a page's first one, headed by an h2. With `id` it is a landmark named by its heading
 * (`<id>-title`); `scroll` lets a wide table scroll inside it instead of widening the page.
 */
export const Section = ({
  title,
  id,
  scroll = false,
  children,
}: {
  title: ReactNode;
  id?: string;
  scroll?: boolean;
  children: ReactNode;
}) => (
  <Card sx={{ mt: 2 }} component={id ? 'section' : 'div'} aria-labelledby={id ? `${id}-title` : undefined}>
    <CardContent sx={scroll ? { overflowX: 'auto' } : undefined}>
      <Typography variant="h6" component="h2" id={id ? `${id}-title` : undefined}>
        {title}
      </Typography>
      {children}
    </CardContent>
  </Card>
);
