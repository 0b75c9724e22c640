import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Endpoint, type Principal } from '@pjs/http';
import { IdempotencyHeaders, IdempotencyResponses, IdempotentWrites } from '@pjs/idempotency';
import { ItemParamsSchema } from '../catalogue/product-api';
import { assertPageExists, pageEnvelope, pageLinks } from '../shared/pagination';
import { cursorPageEnvelope } from './product-cursor-page';
import {
  type ProductCreateBody,
  ProductCreateBodySchema,
  ProductDetail,
  type ProductListQuery,
  ProductListQuerySchema,
  ProductPage,
  type ProductPatchBody,
  ProductPatchBodySchema,
  type ProductReplaceBody,
  ProductReplaceBodySchema,
} from './product.schemas';
import { ProductAdminService } from './product-admin.service';
import { ProductService } from './product.service';

const JSON_TYPE = 'application/json; charset=utf-8';

/** `/api/products/…`: reads for every token, writes for admins. Only translates HTTP. */
@ApiTags('products')
@Controller('api/products')
export class ProductController {
  constructor(
    private readonly products: ProductService,
    private readonly admin: ProductAdminService,
    private readonly writes: IdempotentWrites,
  ) {}

  @Get()
  @Header('Content-Type', JSON_TYPE)
  @Endpoint({
    summary: 'Products, filtered, sorted (ordering) and paginated by page number or keyset cursor',
    query: ProductListQuerySchema,
    responses: { 200: ProductPage, 400: 'A bad filter or page parameter', 404: 'Page past the end (invalid_page)' },
  })
  async list(@Query() query: ProductListQuery, @Req() request: FastifyRequest): Promise<string> {
    if (query.cursor !== undefined) {
      const { cursor } = query;
      return cursorPageEnvelope(request, await this.products.listByCursor({ ...query, cursor }));
    }
    const { page, count, results } = await this.products.list(query);
    assertPageExists(page, count);
    return pageEnvelope(count, pageLinks(request, page, count), results);
  }

  @Get(':item_no')
  @Header('Content-Type', JSON_TYPE)
  @Endpoint({
    summary: 'One product with manufacturer (GPSR), license, category, photos and discount',
    params: ItemParamsSchema,
    responses: { 200: ProductDetail, 404: 'No such product (or deleted)' },
  })
  detail(@Param('item_no') itemNo: string): Promise<string> {
    return this.products.detailJson(itemNo);
  }

  @Post()
  @Header('Content-Type', JSON_TYPE)
  @Endpoint({
    summary: 'Create a product',
    body: ProductCreateBodySchema,
    headers: IdempotencyHeaders,
    responses: {
      201: ProductDetail,
      400: 'A bad field (validation_failed), or malformed JSON',
      409: 'The item number exists (product_exists)',
      413: 'Larger than BODY_LIMIT',
      ...IdempotencyResponses,
    },
  })
  create(
    @Body() body: ProductCreateBody,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.writes.answer(request, reply, (tx) => this.admin.create(body, principal, tx));
  }

  @Put(':item_no')
  @Header('Content-Type', JSON_TYPE)
  @Endpoint({
    summary: 'Replace a product; omitted fields are cleared, a deleted product is restored',
    params: ItemParamsSchema,
    body: ProductReplaceBodySchema,
    headers: IdempotencyHeaders,
    responses: { 200: ProductDetail, 400: 'A bad field', 404: 'No such product', ...IdempotencyResponses },
  })
  replace(
    @Param('item_no') itemNo: string,
    @Body() body: ProductReplaceBody,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.writes.answer(request, reply, (tx) => this.admin.replace(itemNo, body, principal, tx));
  }

  @Patch(':item_no')
  @Header('Content-Type', JSON_TYPE)
  @Endpoint({
    summary: 'Change some fields of a product; null clears a field',
    params: ItemParamsSchema,
    body: ProductPatchBodySchema,
    headers: IdempotencyHeaders,
    responses: { 200: ProductDetail, 400: 'A bad field', 404: 'No such product', ...IdempotencyResponses },
  })
  patch(
    @Param('item_no') itemNo: string,
    @Body() body: ProductPatchBody,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.writes.answer(request, reply, (tx) => this.admin.patch(itemNo, body, principal, tx));
  }

  @Delete(':item_no')
  @HttpCode(204)
  @Endpoint({
    summary: 'Soft-delete a product; it stays in the history',
    params: ItemParamsSchema,
    headers: IdempotencyHeaders,
    responses: {
      204: { description: 'Deleted' },
      404: 'No such product (or deleted already)',
      ...IdempotencyResponses,
    },
  })
  async remove(
    @Param('item_no') itemNo: string,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.writes.answer(request, reply, (tx) => this.admin.remove(itemNo, principal, tx));
  }
}
